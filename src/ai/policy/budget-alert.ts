/**
 * Which thresholds a budget charge crossed. The counter's charge is atomic and reports the total after
 * it, so `total - charge` is exactly what it was before: the charge that takes the spend from below a
 * threshold to at or above it is the only one that sees the crossing, however many calls and nodes
 * charge at once. That is what makes the alert fire once per period and subject without a lock.
 */
import type { QuotaDecision, QuotaRule } from '../../pipeline/counter-store.js';
import type { BudgetCrossing } from '../../pipeline/services.js';
import type { RequestContext } from '../../pipeline/context.js';
import { usdOf, type Applied, type CompiledBudget } from './compile.js';
import { readableSubject } from './subjects.js';

export interface Charged {
  ctx: RequestContext;
  applied: Applied;
  budget: CompiledBudget;
  rule: QuotaRule;
  counter: string;
  decision: QuotaDecision;
  /** What this call cost, micro-dollars. */
  micro: number;
  now: number;
  workspace: string;
}

/** The crossings of this charge: none, the alert threshold, 100 %, or both (one large call). */
export function crossings(c: Charged): BudgetCrossing[] {
  const after = c.decision.used;
  const before = after - c.micro;
  const b = c.budget;
  const out: BudgetCrossing[] = [];
  if (before < b.alertMicro && after >= b.alertMicro) out.push(event(c, 'threshold', b.alertAt));
  if (before < b.limitMicro && after >= b.limitMicro) out.push(event(c, 'exhausted', 100));
  return out;
}

function event(c: Charged, level: BudgetCrossing['level'], percent: number): BudgetCrossing {
  const { ctx, budget: b } = c;
  return {
    workspace: c.workspace,
    budget: b.name,
    source: c.applied.limits.source,
    counted_per: b.by.join('+'),
    subject: readableSubject(ctx.identity, ctx.clientIp, b.by, c.applied.plan),
    consumer: ctx.identity?.consumerName ?? null,
    counter: c.counter,
    period: c.rule.periodId,
    level,
    percent,
    spent_usd: usdOf(c.decision.used),
    limit_usd: b.usd,
    resets_at: new Date(c.rule.periodEndMs).toISOString(),
    at: c.now,
  };
}
