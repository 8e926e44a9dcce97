/** `keyway usage --key ID | --app NAME | --consumer NAME`: quota usage in the current period (GET /usage). */
import type { UsageReport } from '../../limits/usage.js';
import { AdminApiError, adminClient } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';

export interface UsageOptions {
  key?: string;
  app?: string;
  consumer?: string;
  workspace?: string;
}

export async function usageCommand(ctx: CliContext, opts: UsageOptions): Promise<number> {
  const given = (['key', 'app', 'consumer'] as const).filter((f) => opts[f] !== undefined);
  const field = given[0];
  if (given.length !== 1 || field === undefined)
    throw new CliError('keyway usage needs exactly one of --key ID, --app NAME, --consumer NAME', 2);
  const base = opts.workspace === undefined ? '' : `/workspaces/${encodeURIComponent(opts.workspace)}`;
  const path = `${base}/usage?${field}=${encodeURIComponent(opts[field] ?? '')}`;
  let r: UsageReport;
  try {
    r = await adminClient(ctx).request<UsageReport>('GET', path);
  } catch (err) {
    if (err instanceof AdminApiError) {
      ctx.output.err(`usage failed: ${err.describe()}`);
      return 1;
    }
    throw err;
  }
  if (ctx.json) {
    ctx.output.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const who = [r.key && `key ${r.key}`, r.app && `app ${r.app}`, r.consumer && `consumer ${r.consumer}`];
  ctx.output.out(`${who.filter(Boolean).join(', ')} — plan ${r.plan ?? '(none)'}`);
  if (r.quotas.length === 0) {
    ctx.output.out('no quotas');
    return 0;
  }
  const rows = r.quotas.map((q) => [
    q.name,
    q.used === undefined ? '-' : `${q.used}/${q.limit}`,
    q.remaining === undefined ? `counted per ${q.counted_per ?? '?'}` : `${q.remaining} left`,
    q.resets_at === undefined ? '' : `renews ${q.resets_at}`,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) {
    ctx.output.out(
      row
        .map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c))
        .join('  ')
        .trimEnd(),
    );
  }
  return 0;
}
