/**
 * `keyway admins list|create|grant|disable|enable|delete` and `keyway admins tokens list|create|revoke`:
 * admin users, their roles per workspace and their tokens, through the admin API (docs/admin-users.md). A
 * workspace admin runs the same commands on their own team: the API narrows what they see and may change.
 *
 * A password is read from stdin (`--password-stdin`), never from argv: argv is visible to every user of
 * the machine (`ps`) and lands in shell history. A new token is printed once, on a line of its own.
 */
import type { StoredAdminToken, StoredAdminUser } from '../../store/types.js';
import { adminClient, answer } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';

export interface AdminsOptions {
  /** The words after `admins`: `create NAME`, `tokens revoke NAME ID`… */
  args: string[];
  /** `--grant WORKSPACE:ROLE`, repeatable. */
  grants: string[];
  passwordStdin: boolean;
  tokenName?: string;
  expiresIn?: string;
  readStdin: () => Promise<string>;
}

const SUBCOMMANDS = ['list', 'create', 'grant', 'disable', 'enable', 'delete', 'tokens'];
const TOKEN_SUBCOMMANDS = ['list', 'create', 'revoke'];

function parseGrant(text: string): { workspace: string; role: string } {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1)
    throw new CliError(`--grant takes WORKSPACE:ROLE (or *:ROLE), got "${text}"`, 2);
  return { workspace: text.slice(0, at), role: text.slice(at + 1) };
}

function days(text: string): number {
  const m = /^(\d+)d$/.exec(text);
  if (m === null) throw new CliError(`--expires-in takes a number of days such as 30d, got "${text}"`, 2);
  return Number(m[1]);
}

export async function adminsCommand(ctx: CliContext, opts: AdminsOptions): Promise<number> {
  const client = adminClient(ctx);
  const [sub, first, second, third] = opts.args;
  const need = (value: string | undefined, what: string): string => {
    if (value === undefined || value === '') throw new CliError(`${sub ?? ''} needs ${what}`, 2);
    return value;
  };
  if (sub === undefined || !SUBCOMMANDS.includes(sub))
    throw new CliError(
      sub === undefined
        ? `needs a subcommand: ${SUBCOMMANDS.join(', ')}`
        : `unknown subcommand "${sub}"; the subcommands are ${SUBCOMMANDS.join(', ')}`,
      2,
    );
  const show = (value: unknown, line: string): void =>
    ctx.output.out(ctx.json ? JSON.stringify(value, null, 2) : line);
  switch (sub) {
    case 'list': {
      const { data } = (await answer(client.GET('/admins'))) as unknown as { data: StoredAdminUser[] };
      if (ctx.json) ctx.output.out(JSON.stringify(data, null, 2));
      else if (data.length === 0) ctx.output.out('no admin users (the bootstrap token is the super admin)');
      else
        for (const u of data)
          ctx.output.out(
            `${u.name}  ${grantsText(u)}${u.password ? '  (password)' : ''}${u.disabled === true ? '  (disabled)' : ''}`,
          );
      return 0;
    }
    case 'create':
    case 'grant': {
      const name = need(first, 'the user NAME');
      const body: Record<string, unknown> = { grants: opts.grants.map(parseGrant) };
      if (opts.passwordStdin) {
        const password = (await opts.readStdin()).replace(/\r?\n$/, '');
        if (password === '') throw new CliError('--password-stdin read nothing', 2);
        body['password'] = password;
      }
      const user = (await answer(
        sub === 'create'
          ? client.POST('/admins', { body: { name, ...body } as never })
          : client.PATCH('/admins/{name}', { params: { path: { name } }, body: body as never }),
      )) as unknown as StoredAdminUser;
      show(user, `${sub === 'create' ? 'created' : 'updated'} ${user.name}: ${grantsText(user)}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const name = need(first, 'the user NAME');
      const user = (await answer(
        client.PATCH('/admins/{name}', {
          params: { path: { name } },
          body: { disabled: sub === 'disable' } as never,
        }),
      )) as unknown as StoredAdminUser;
      show(
        user,
        sub === 'disable'
          ? `disabled ${user.name}: their tokens answer 401 and their password logs nothing in`
          : `enabled ${user.name}`,
      );
      return 0;
    }
    case 'delete': {
      const name = need(first, 'the user NAME');
      await answer(client.DELETE('/admins/{name}', { params: { path: { name } } }));
      show({ deleted: first }, `deleted ${first ?? ''} and every token of theirs`);
      return 0;
    }
    default:
      return tokens(ctx, opts, first, second, third);
  }
}

async function tokens(
  ctx: CliContext,
  opts: AdminsOptions,
  sub: string | undefined,
  user: string | undefined,
  id: string | undefined,
): Promise<number> {
  const client = adminClient(ctx);
  if (sub === undefined || !TOKEN_SUBCOMMANDS.includes(sub))
    throw new CliError(`tokens needs a subcommand: ${TOKEN_SUBCOMMANDS.join(', ')}`, 2);
  if (user === undefined) throw new CliError(`tokens ${sub} needs the user NAME`, 2);
  const path = { name: user };
  switch (sub) {
    case 'list': {
      const { data } = (await answer(
        client.GET('/admins/{name}/tokens', { params: { path } }),
      )) as unknown as {
        data: StoredAdminToken[];
      };
      if (ctx.json) ctx.output.out(JSON.stringify(data, null, 2));
      else
        for (const t of data)
          ctx.output.out(
            `${t.id}  ${t.name}  ${t.kind}  expires ${t.expires_at ?? 'never'}${t.revoked_at === undefined ? '' : '  revoked'}`,
          );
      return 0;
    }
    case 'create': {
      if (opts.tokenName === undefined) throw new CliError('tokens create needs --name TOKEN_NAME', 2);
      const body: Record<string, unknown> = { name: opts.tokenName };
      if (opts.expiresIn !== undefined) body['ttl_days'] = days(opts.expiresIn);
      const made = (await answer(
        client.POST('/admins/{name}/tokens', { params: { path }, body: body as never }),
      )) as unknown as StoredAdminToken & { token: string };
      if (ctx.json) ctx.output.out(JSON.stringify(made, null, 2));
      else {
        ctx.output.out(
          `New admin token for ${user} (id ${made.id}, expires ${made.expires_at ?? 'never'}); shown once:`,
        );
        ctx.output.out(made.token);
      }
      return 0;
    }
    default: {
      if (id === undefined) throw new CliError('tokens revoke needs the token ID', 2);
      const revoked = (await answer(
        client.DELETE('/admins/{name}/tokens/{id}', { params: { path: { ...path, id } } }),
      )) as unknown as StoredAdminToken;
      if (ctx.json) ctx.output.out(JSON.stringify(revoked, null, 2));
      else ctx.output.out(`revoked token ${revoked.id} of ${user}: the next call with it gets 401`);
      return 0;
    }
  }
}

function grantsText(u: StoredAdminUser): string {
  return u.grants.length === 0 ? 'no grants' : u.grants.map((g) => `${g.workspace}:${g.role}`).join(', ');
}
