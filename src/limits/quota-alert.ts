/**
 * Which alert levels a quota consume crossed. The counter store consumes atomically and answers with the
 * count after the call, so `used - cost` is exactly what it was before: the one call that takes the count
 * from below a level to at or above it is the only one that sees the crossing, however many calls and
 * nodes consume at once. That makes a quota alert fire once per period and subject without a lock — the
 * same argument as AI budgets (src/ai/policy/budget-alert.ts). On the request path this is a comparison
 * per level; an event is built only for the call that crosses.
 */
import type { QuotaDecision, QuotaRule } from '../pipeline/counter-store.js';
import type { CompiledQuota } from './compiled-limits.js';
import { readableSubject } from './subject.js';
import type { QuotaCrossing } from '../pipeline/services.js';
import type { RequestContext } from '../pipeline/context.js';

/** The count at which `percent` of `limit` is reached: 80 % of 5 is the 4th call. */
export function levelCount(limit: number, percent: number): number {
  return Math.max(1, Math.ceil((limit * percent) / 100));
}

/** The levels (percents) this consume took the count across; undefined (no allocation) for almost every call. */
export function crossedLevels(
  levels: readonly number[],
  limit: number,
  used: number,
  cost: number,
): number[] | undefined {
  let out: number[] | undefined;
  for (const percent of levels) {
    const at = levelCount(limit, percent);
    if (used >= at && used - cost < at) (out ??= []).push(percent);
  }
  return out;
}

export interface Consumed {
  ctx: RequestContext;
  quota: CompiledQuota;
  plan: string | undefined;
  counter: string;
  rule: QuotaRule;
  decision: QuotaDecision;
  now: number;
  workspace: string;
}

/** The crossing of one level, as the quota alerts (src/observe/alerts/quota-alerts.ts) receive it. */
export function quotaCrossing(c: Consumed, percent: number): QuotaCrossing {
  const { ctx, quota: q } = c;
  return {
    workspace: c.workspace,
    quota: q.name,
    source: q.perRoute ? 'route' : `plan:${c.plan ?? '-'}`,
    counted_per: (q.by ?? ['key']).join('+'),
    subject: readableSubject(ctx, q.by, q.header, c.plan),
    consumer: ctx.identity?.consumerName ?? null,
    route: q.perRoute ? ctx.route.name : null,
    counter: c.counter,
    period: c.rule.periodId,
    percent,
    used: c.decision.used,
    limit: q.limit,
    resets_at: new Date(c.rule.periodEndMs).toISOString(),
    at: c.now,
  };
}
