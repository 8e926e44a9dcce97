/** `keyway status`: what the node serves, where it listens, which config version it runs. */
import { adminClient, answer } from '../admin-client.js';
import type { CliContext } from '../context.js';

export async function statusCommand(ctx: CliContext): Promise<number> {
  const s = await answer(adminClient(ctx).GET('/status'));
  if (ctx.json) {
    ctx.output.out(JSON.stringify(s, null, 2));
    return 0;
  }
  const rows: Array<[string, string]> = [
    ['version', s.version],
    ['config version', String(s.config_version)],
    ['started at', s.started_at],
    ['proxy http', s.proxy.http ?? '-'],
    ['proxy https', s.proxy.https ?? '-'],
    ['admin', s.admin],
    ['store', s.store_reachable === false ? `${s.store} (unreachable: serving the last config)` : s.store],
    ['services', String(s.services)],
    ['routes', String(s.routes)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) ctx.output.out(`${k.padEnd(width)}  ${v}`);
  return 0;
}
