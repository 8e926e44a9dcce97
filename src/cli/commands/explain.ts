/**
 * `keyway explain [--key ID | --app NAME | --consumer NAME] METHOD PATH [-H 'Name: value']… [--ip ADDR]`:
 * would this request be allowed, and why — route, identity, each access check — from the configuration the
 * node serves, without sending traffic (POST /explain). Exit 0 when allowed, 1 when denied.
 */
import type { Explanation } from '../../control/explain.js';
import type { HTTP_METHODS } from '../../model/route.js';
import { adminClient, answer } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';

export interface ExplainOptions {
  method: string | undefined;
  path: string | undefined;
  headers: string[];
  key?: string;
  app?: string;
  consumer?: string;
  ip?: string;
  host?: string;
  workspace?: string;
}

const MARK = { pass: 'ok  ', deny: 'DENY', shadow: 'shdw', skipped: '  - ' } as const;

export async function explainCommand(ctx: CliContext, opts: ExplainOptions): Promise<number> {
  if (opts.method === undefined || opts.path === undefined)
    throw new CliError('needs METHOD and PATH, e.g. keyway explain --key ID GET /orders', 2);
  if (!opts.path.startsWith('/')) throw new CliError(`PATH must start with /: ${opts.path}`, 2);
  const who = (['key', 'app', 'consumer'] as const).filter((f) => opts[f] !== undefined);
  if (who.length > 1) throw new CliError('give at most one of --key, --app, --consumer', 2);
  const headers: Record<string, string> = {};
  for (const h of opts.headers) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new CliError(`-H takes 'Name: value', got: ${h}`, 2);
    headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  const body = {
    // Checked by the node, which names the methods it knows when this is none of them.
    method: opts.method.toUpperCase() as (typeof HTTP_METHODS)[number],
    path: opts.path,
    ...(opts.headers.length === 0 ? {} : { headers }),
    ...(opts.ip === undefined ? {} : { client_ip: opts.ip }),
    ...(opts.host === undefined ? {} : { host: opts.host }),
    ...(opts.key === undefined ? {} : { key_id: opts.key }),
    ...(opts.app === undefined ? {} : { app: opts.app }),
    ...(opts.consumer === undefined ? {} : { consumer: opts.consumer }),
  };
  const r = (await answer(
    adminClient(ctx).POST('/workspaces/{workspace}/explain', {
      params: { path: { workspace: opts.workspace ?? 'default' } },
      body,
    }),
  )) as unknown as Explanation; // the document describes this answer only as an object
  if (ctx.json) {
    ctx.output.out(JSON.stringify(r, null, 2));
    return r.allowed ? 0 : 1;
  }
  const verdict = r.allowed ? 'ALLOWED' : 'DENIED';
  ctx.output.out(`${verdict}: ${body.method} ${opts.path} (config version ${r.config_version})`);
  for (const s of r.steps) {
    const code = s.code === undefined ? '' : ` → ${s.code}`;
    ctx.output.out(`  ${MARK[s.outcome]}  ${s.check}: ${s.reason}${code}`);
    for (const d of s.decisions ?? []) ctx.output.out(`          ${d.effect} ${d.check}: ${d.reason}`);
  }
  if (r.identity !== null) {
    const id = r.identity;
    ctx.output.out(
      `  caller: consumer ${id.consumer}${id.app === null ? '' : `, app ${id.app}`}` +
        `${id.credential === null ? '' : `, credential ${id.credential}`}; plan ${id.plan ?? '(none)'}; ` +
        `roles ${id.roles.length === 0 ? '(none)' : id.roles.join(', ')}; ` +
        `scopes ${id.scopes === null ? '(any)' : id.scopes.join(' ') || '(none)'}`,
    );
  }
  if (r.plugins.length > 0) ctx.output.out(`  plugins: ${r.plugins.join(', ')}`);
  if (r.limits.plugins.length > 0)
    ctx.output.out(`  limits: ${r.limits.plugins.join(', ')} (plan ${r.limits.plan ?? '(none)'})`);
  return r.allowed ? 0 : 1;
}
