/**
 * Admission and settlement of AI calls against the counters (the node's counter store: exact in one
 * process, across `--workers` at the cluster primary, across nodes in Redis; GuardedCounters applies
 * the fail_open / fail_closed policy).
 *
 * Admission, before the provider is called:
 *  1. the allow-lists (403 KW_ERR_MODEL_NOT_ALLOWED);
 *  2. reads, all at once (one round trip to Redis), nothing taken: every budget (429
 *     KW_ERR_BUDGET_EXCEEDED once the period's spend reached the budget; Retry-After = until the period
 *     renews) and every token bucket (429 KW_ERR_TOKEN_LIMIT_EXCEEDED while the bucket holds fewer
 *     tokens than the prompt's estimate — or than one token, if the prompt is not counted);
 *  3. the request rates, one unit each (429 KW_ERR_RATE_LIMITED), last, so that a call refused for
 *     budget or tokens does not use up a request.
 * Settlement, after the call: the tokens it used are charged to the token buckets and its cost to the
 * budgets, unconditionally — the call happened — so a caller past its limit owes and waits. A budget
 * charge that crosses the alert threshold (or 100 %) reports it to the alert sink.
 *
 * "Exact" therefore means: nothing is lost or counted twice, on one node or many; but tokens and cost
 * are only known after a call, so calls admitted together while a budget still had room can together
 * exceed it, by at most what the calls in flight at that moment spend (docs/ai-budgets.md).
 */
import { KeywayError, isKeywayError } from '../../core/errors.js';
import { CounterUnavailableError, type QuotaDecision, type QuotaRule } from '../../pipeline/counter-store.js';
import type { GuardedCounters } from '../../limits/guarded-store.js';
import { addEntry, limitHeaders, retryAfterSeconds } from '../../limits/limit-headers.js';
import type { LimitEntry } from '../../pipeline/facts.js';
import type { PeriodCache } from '../../core/quota-period.js';
import type { AiUsage } from '../../pipeline/facts.js';
import type { BudgetAlertSink } from '../../pipeline/services.js';
import type { RequestContext } from '../../pipeline/context.js';
import { crossings, type Charged } from './budget-alert.js';
import { budgetRule, microUsd, type Applied } from './compile.js';
import { aiCounterKey } from './subjects.js';

export interface LimiterOptions {
  workspace: string;
  counters: GuardedCounters;
  periods: PeriodCache;
  alerts: BudgetAlertSink | undefined;
  hideHeaders: boolean;
  /** Told about errors that are bugs (not an unavailable store): settle never throws. */
  onBug: (ctx: RequestContext, err: unknown) => void;
  now?: () => number;
}

const WINDOW_S = 60;

export class AiLimiter {
  readonly #o: LimiterOptions;
  readonly #now: () => number;

  constructor(opts: LimiterOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  async admit(
    ctx: RequestContext,
    sets: readonly Applied[],
    model: string,
    promptTokens: number,
  ): Promise<void> {
    for (const s of sets) {
      if (s.limits.models !== undefined && !s.limits.models(model))
        throw new KeywayError('KW_ERR_MODEL_NOT_ALLOWED', { model });
    }
    const counting = sets.filter((s) => s.limits.counts);
    if (counting.length === 0) return;
    const { counters, workspace } = this.#o;
    const now = this.#now();

    const budgets: Array<{ rule: QuotaRule; read: Promise<QuotaDecision> }> = [];
    const tokens: Array<{ s: Applied; read: ReturnType<GuardedCounters['rate']> }> = [];
    for (const s of counting) {
      for (const b of s.limits.budgets) {
        const rule = budgetRule(b, this.#o.periods, now);
        const key = aiCounterKey(workspace, b.id, ctx, b.by, s.plan);
        budgets.push({ rule, read: counters.peekQuota(key, rule, now) });
      }
      const tpm = s.limits.tpm;
      if (tpm !== undefined) {
        const key = aiCounterKey(workspace, tpm.id, ctx, s.limits.by, s.plan);
        // Cost 0 reads the bucket without taking from it.
        tokens.push({ s, read: counters.rate(key, tpm.rule, 0, now) });
      }
    }
    const [budgetReads, tokenReads] = await Promise.all([
      Promise.all(budgets.map((x) => x.read)),
      Promise.all(tokens.map((x) => x.read)),
    ]);

    budgets.forEach(({ rule }, i) => {
      const d = budgetReads[i];
      if (d !== undefined && d.used >= rule.limit) {
        const headers = limitHeaders(ctx);
        headers['retry-after'] = retryAfterSeconds(rule.periodEndMs - now);
        throw new KeywayError('KW_ERR_BUDGET_EXCEEDED', {}, { headers });
      }
    });

    tokens.forEach(({ s }, i) => {
      const tpm = s.limits.tpm;
      const d = tokenReads[i];
      if (tpm === undefined || d === undefined) return;
      const limit = tpm.rule.limit;
      // A prompt larger than the whole bucket waits for a full bucket, not forever.
      const need = tpm.countPrompt ? Math.min(limit, Math.max(1, Math.ceil(count(promptTokens)))) : 1;
      const entry = this.#entry(tpm.name, limit, d.remaining, d.resetMs);
      if (d.remaining >= need) {
        addEntry(ctx, entry);
        return;
      }
      // The bucket refills one token every windowMs / limit: `need` are there once it is that close to full.
      const waitMs = d.resetMs - ((limit - need) * tpm.rule.windowMs) / limit;
      const headers = limitHeaders(ctx, entry);
      headers['retry-after'] = retryAfterSeconds(waitMs);
      throw new KeywayError('KW_ERR_TOKEN_LIMIT_EXCEEDED', {}, { headers });
    });

    for (const s of counting) {
      const rpm = s.limits.rpm;
      if (rpm === undefined) continue;
      const key = aiCounterKey(workspace, rpm.id, ctx, s.limits.by, s.plan);
      const d = await counters.rate(key, rpm.rule, 1, now);
      const entry = this.#entry(rpm.name, rpm.rule.limit, d.remaining, d.resetMs);
      if (!d.allowed) {
        const headers = limitHeaders(ctx, entry);
        headers['retry-after'] = retryAfterSeconds(d.retryAfterMs);
        throw new KeywayError('KW_ERR_RATE_LIMITED', {}, { headers });
      }
      addEntry(ctx, entry);
    }
    // The entries reach the client through the respond phase (ai-proxy's `writeLimitHeaders`), which
    // src/pipeline/reply.ts runs on whatever answers the call, success or error.
  }

  /** Charges what the call used. Resolves when every charge is done; never rejects. */
  async settle(ctx: RequestContext, sets: readonly Applied[], usage: AiUsage): Promise<void> {
    const tokens = count(usage.tokensIn) + count(usage.tokensOut);
    const micro = microUsd(usage.cost);
    if (tokens === 0 && micro === 0) return;
    const { counters, workspace } = this.#o;
    const now = this.#now();
    const work: Array<Promise<unknown>> = [];
    for (const s of sets) {
      const tpm = s.limits.tpm;
      if (tpm !== undefined && tokens > 0) {
        const key = aiCounterKey(workspace, tpm.id, ctx, s.limits.by, s.plan);
        work.push(counters.chargeRate(key, tpm.rule, tokens, now));
      }
      if (micro === 0) continue;
      for (const b of s.limits.budgets) {
        const key = aiCounterKey(workspace, b.id, ctx, b.by, s.plan);
        const rule = budgetRule(b, this.#o.periods, now);
        const charged = counters.chargeQuota(key, rule, micro, now);
        work.push(
          charged.then((decision) =>
            this.#tell({ ctx, applied: s, budget: b, rule, counter: key, decision, micro, now, workspace }),
          ),
        );
      }
    }
    for (const r of await Promise.allSettled(work)) {
      if (r.status === 'fulfilled') continue;
      // An unavailable store under fail_closed: the charge is lost, like any count while Redis is away.
      if (isKeywayError(r.reason) || r.reason instanceof CounterUnavailableError) continue;
      this.#o.onBug(ctx, r.reason);
    }
  }

  /** Reports the thresholds a budget charge crossed (at most one charge per period crosses each). */
  #tell(charged: Charged): void {
    const alerts = this.#o.alerts;
    if (alerts === undefined) return;
    for (const e of crossings(charged)) alerts.budgetCrossed(e);
  }

  #entry(name: string, limit: number, remaining: number, resetMs: number): LimitEntry {
    return {
      name,
      limit,
      windowS: WINDOW_S,
      remaining,
      resetS: Math.ceil(resetMs / 1000),
      hidden: this.#o.hideHeaders,
    };
  }
}

/** A count from outside (an estimate, a provider's usage): anything but a positive number counts as 0. */
function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
