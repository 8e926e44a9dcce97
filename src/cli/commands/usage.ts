/**
 * `keyway usage --key ID | --app NAME | --consumer NAME`: quota usage in the current period, AI spend against
 * budgets and tokens per minute available (GET /usage).
 */
import { printColumns } from '../columns.js';
import type { UsageReport } from '../../control/usage.js';
import { adminClient, answer } from '../admin-client.js';
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
    throw new CliError('needs exactly one of --key ID, --app NAME, --consumer NAME', 2);
  const r = (await answer(
    adminClient(ctx).GET('/workspaces/{workspace}/usage', {
      params: { path: { workspace: opts.workspace ?? 'default' }, query: { [field]: opts[field] ?? '' } },
    }),
  )) as unknown as UsageReport; // the document describes this answer only as an object
  if (ctx.json) {
    ctx.output.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const who = [r.key && `key ${r.key}`, r.app && `app ${r.app}`, r.consumer && `consumer ${r.consumer}`];
  ctx.output.out(`${who.filter(Boolean).join(', ')} — plan ${r.plan ?? '(none)'}`);
  const budgets = r.ai?.budgets ?? [];
  const tokens = r.ai?.tokens ?? [];
  if (r.quotas.length === 0 && budgets.length === 0 && tokens.length === 0) {
    ctx.output.out('no quotas');
    return 0;
  }
  printColumns(
    ctx,
    r.quotas.map((q) => [
      q.name,
      q.used === undefined ? '-' : `${q.used}/${q.limit}`,
      q.remaining === undefined ? `counted per ${q.counted_per ?? '?'}` : `${q.remaining} left`,
      q.resets_at === undefined ? '' : `renews ${q.resets_at}`,
    ]),
  );
  if (budgets.length > 0) {
    ctx.output.out('AI spend budgets');
    printColumns(
      ctx,
      budgets.map((b) => [
        `${b.name} (${b.source}, per ${b.counted_per})`,
        b.spent_usd === undefined ? `- of ${usd(b.usd)}` : `${usd(b.spent_usd)} of ${usd(b.usd)}`,
        b.remaining_usd === undefined ? `counted per ${b.counted_per}` : `${usd(b.remaining_usd)} left`,
        b.resets_at === undefined ? '' : `renews ${b.resets_at}`,
      ]),
    );
  }
  if (tokens.length > 0) {
    ctx.output.out('AI tokens per minute');
    printColumns(
      ctx,
      tokens.map((t) => [
        `${t.source}, per ${t.counted_per}`,
        `${t.available === undefined ? '-' : t.available}/${t.tokens_per_minute}`,
        t.available === undefined ? `counted per ${t.counted_per}` : 'available now',
        '',
      ]),
    );
  }
  return 0;
}

/** Dollars as people read them: cents, or more digits for sub-cent spend. */
function usd(n: number): string {
  return n !== 0 && Math.abs(n) < 0.01 ? `$${n.toFixed(6)}` : `$${n.toFixed(2)}`;
}
