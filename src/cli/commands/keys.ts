/**
 * `keyway keys create|list|rotate|revoke|import`: API keys through the admin API.
 *
 * A new key is printed once, on a line of its own; Keyway keeps only its hash. `import` reads the existing
 * key from stdin, never from argv: argv is visible to every user of the machine (`ps`) and lands in shell
 * history.
 */
import type { operations } from '../../admin/openapi/admin-api.js';
import { adminClient, answer } from '../admin-client.js';
import { printColumns } from '../columns.js';
import { CliError, type CliContext } from '../context.js';

export interface KeysOptions {
  sub: string | undefined;
  id: string | undefined;
  app?: string;
  scopes?: string;
  expiresIn?: string;
  env?: string;
  tier?: string;
  grace?: string;
  workspace?: string;
  /** Reads the key for `import` (stdin; a parameter so tests can feed it). */
  readStdin: () => Promise<string>;
}

/** As the admin API's document describes them. */
type IssuedKey = operations['createAppKey']['responses'][201]['content']['application/json'];
type ApiKeyView = IssuedKey['record'];

const SUBCOMMANDS = ['create', 'list', 'rotate', 'revoke', 'import'];

export async function keysCommand(ctx: CliContext, opts: KeysOptions): Promise<number> {
  const client = adminClient(ctx);
  const workspace = opts.workspace ?? 'default';
  const app = (): string => {
    if (opts.app === undefined || opts.app === '') throw new CliError(`${opts.sub ?? ''} needs --app APP`, 2);
    return opts.app;
  };
  const id = (): string => {
    if (opts.id === undefined) throw new CliError(`${opts.sub ?? ''} needs the key's ID`, 2);
    return opts.id;
  };
  if (opts.sub === undefined || !SUBCOMMANDS.includes(opts.sub)) {
    throw new CliError(
      opts.sub === undefined
        ? `needs a subcommand: ${SUBCOMMANDS.join(', ')}`
        : `unknown subcommand "${opts.sub}"; the subcommands are ${SUBCOMMANDS.join(', ')}`,
      2,
    );
  }
  if ((opts.sub === 'create' || opts.sub === 'import' || opts.sub === 'list') && opts.id !== undefined)
    throw new CliError(`unexpected argument "${opts.id}" (${opts.sub} takes no ID)`, 2);
  switch (opts.sub) {
    case 'create': {
      const body: Record<string, unknown> = fields(opts);
      if (opts.env !== undefined) body['env'] = opts.env;
      const issued: IssuedKey = await answer(
        client.POST('/workspaces/{workspace}/apps/{app}/keys', {
          params: { path: { workspace, app: app() } },
          body,
        }),
      );
      printIssued(ctx, issued, `New key for app ${issued.record.app}`);
      return 0;
    }
    case 'import': {
      const key = (await opts.readStdin()).trim();
      if (key === '') throw new CliError('import reads the key from stdin, and got nothing', 2);
      const record: ApiKeyView = await answer(
        client.POST('/workspaces/{workspace}/apps/{app}/keys/import', {
          params: { path: { workspace, app: app() } },
          body: { key, ...fields(opts) },
        }),
      );
      if (ctx.json) ctx.output.out(JSON.stringify(record, null, 2));
      else ctx.output.out(`imported ${record.visible_id} for app ${record.app} (id ${record.id})`);
      return 0;
    }
    case 'list': {
      const filter = opts.app === undefined ? {} : { app: app() };
      const rows: ApiKeyView[] = [];
      let after: string | null | undefined;
      do {
        const page = await answer(
          client.GET('/workspaces/{workspace}/keys', {
            params: { path: { workspace }, query: { ...filter, ...(after == null ? {} : { after }) } },
          }),
        );
        rows.push(...page.data);
        after = page.next;
      } while (after !== null);
      if (ctx.json) ctx.output.out(JSON.stringify(rows, null, 2));
      else printTable(ctx, rows);
      return 0;
    }
    case 'rotate': {
      const body = opts.grace === undefined ? {} : { grace_period_s: seconds(opts.grace, '--grace') };
      const issued = await answer(
        client.POST('/workspaces/{workspace}/keys/{id}/rotate', {
          params: { path: { workspace, id: id() } },
          body,
        }),
      );
      printIssued(ctx, issued, `Rotated: new key for app ${issued.record.app}`);
      if (!ctx.json)
        ctx.output.out(
          `old key ${issued.previous?.visible_id ?? '-'} works until ${issued.previous?.grace_until ?? '-'}`,
        );
      return 0;
    }
    case 'revoke': {
      const record: ApiKeyView = await answer(
        client.DELETE('/workspaces/{workspace}/keys/{id}', { params: { path: { workspace, id: id() } } }),
      );
      if (ctx.json) ctx.output.out(JSON.stringify(record, null, 2));
      else
        ctx.output.out(`revoked ${record.visible_id} (id ${record.id}): the next request with it gets 401`);
      return 0;
    }
    default:
      throw new CliError(`unknown subcommand "${opts.sub}"`, 2);
  }
}

function fields(opts: KeysOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (opts.scopes !== undefined)
    body['scopes'] = opts.scopes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (opts.expiresIn !== undefined) body['expires_in_s'] = seconds(opts.expiresIn, '--expires-in');
  if (opts.tier !== undefined) body['tier'] = opts.tier;
  return body;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `15m`, `24h`, `30d` → seconds. */
export function seconds(text: string, flag: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) throw new CliError(`${flag} must look like 90s, 15m, 24h or 30d`, 2);
  return Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
}

function printIssued(ctx: CliContext, issued: IssuedKey, title: string): void {
  if (ctx.json) {
    ctx.output.out(JSON.stringify(issued, null, 2));
    return;
  }
  const r = issued.record;
  ctx.output.out(`${title} (shown once: store it now, Keyway keeps only a hash):\n`);
  ctx.output.out(`  ${issued.key}\n`);
  const rows: Array<[string, string]> = [
    ['id', r.id],
    ['visible id', r.visible_id],
    ['env', r.env],
    ['scopes', r.scopes?.join(' ') ?? '(the app’s)'],
    ['tier', r.tier ?? '-'],
    ['expires', r.expires_at ?? 'never'],
  ];
  for (const [k, v] of rows) ctx.output.out(`${k.padEnd(10)}  ${v}`);
}

function printTable(ctx: CliContext, rows: ApiKeyView[]): void {
  if (rows.length === 0) {
    ctx.output.out('no keys');
    return;
  }
  const table = [
    ['ID', 'VISIBLE ID', 'APP', 'ENV', 'STATE', 'EXPIRES', 'LAST USED'],
    ...rows.map((r) => [
      r.id,
      r.visible_id,
      r.app,
      r.env,
      r.state === 'grace' ? `grace until ${r.grace_until ?? ''}` : r.state,
      r.expires_at ?? '-',
      r.last_used_at ?? '-',
    ]),
  ];
  printColumns(ctx, table);
}
