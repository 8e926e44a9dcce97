/**
 * Limits turned into what the request path needs, once per plugin config or plan (not per request):
 * durations parsed, counter ids fixed, header policy names made.
 *
 * Limits written in a plugin config count per route (a route's limit is that route's); plan limits
 * count across routes (a plan is the caller's, whatever it calls).
 *
 * Counter ids do not contain the limit value, so raising a plan's quota from 1,000 to 2,000 keeps what
 * was used today; and plan counters do not contain the plan's name, so a key moved from `free` to `gold`
 * mid-day keeps its usage under the new limit instead of starting afresh.
 */
import type { Plan } from '../model/index.js';
import type { QuotaRule, WindowRule } from '../pipeline/counter-store.js';
import { identityKeyed } from './counter-keys.js';
import { durationMs, type KeySource, type QuotaSpec, type RateLimitSpec } from '../model/limit-schema.js';
import { policyItem } from './limit-headers.js';
import type { CalendarUnit, PeriodCache } from '../core/quota-period.js';

export interface CompiledRate {
  id: string;
  /** Config limits: the counter is kept per route too. */
  perRoute: boolean;
  name: string;
  /** At most `limit` in any `window` (sliding-window.ts). */
  rule: WindowRule;
  windowS: number;
  by: readonly KeySource[] | undefined;
  header: string | undefined;
  /** The identity alone decides the subject (counter-keys.ts). */
  identityKeyed: boolean;
  /** This limit's item of the RateLimit-Policy header (limit-headers.ts), made once. */
  policy: string;
}

export interface CompiledQuota {
  id: string;
  perRoute: boolean;
  name: string;
  limit: number;
  /** Calendar unit, or undefined for a rolling quota (then `rolling` is set). */
  unit: CalendarUnit | undefined;
  timeZone: string;
  /** A rolling quota is a sliding window: at most `limit` in any `window`. */
  rolling: WindowRule | undefined;
  windowS: number;
  by: readonly KeySource[] | undefined;
  header: string | undefined;
  identityKeyed: boolean;
  policy: string;
}

export function compileRate(spec: RateLimitSpec, origin: string): CompiledRate {
  const windowMs = durationMs(spec.window);
  const name = spec.name ?? `${spec.limit}-per-${spec.window}`;
  const windowS = Math.max(1, Math.round(windowMs / 1000));
  return {
    id: `${origin}:r:${spec.name ?? spec.window}`,
    perRoute: origin === 'cfg',
    name,
    // `burst` (the former GCRA tolerance) is not read: `limit` units may come at once (docs/limits.md).
    rule: { algorithm: 'sliding-window', limit: spec.limit, windowMs },
    windowS,
    by: spec.by,
    header: spec.header,
    identityKeyed: identityKeyed(spec.by),
    policy: policyItem(name, spec.limit, windowS),
  };
}

const DAY_S = 86_400;

export function compileQuota(spec: QuotaSpec, origin: string): CompiledQuota {
  const tz = spec.time_zone ?? 'UTC';
  if (spec.period === 'rolling') {
    const windowMs = durationMs(spec.window ?? '1d');
    const name = spec.name ?? `${spec.limit}-per-rolling-${spec.window ?? '1d'}`;
    const windowS = Math.max(1, Math.round(windowMs / 1000));
    return {
      id: `${origin}:q:${spec.name ?? `rolling-${spec.window ?? '1d'}`}`,
      perRoute: origin === 'cfg',
      name,
      limit: spec.limit,
      unit: undefined,
      timeZone: tz,
      rolling: { algorithm: 'sliding-window', limit: spec.limit, windowMs },
      windowS,
      by: spec.by,
      header: spec.header,
      identityKeyed: identityKeyed(spec.by),
      policy: policyItem(name, spec.limit, windowS),
    };
  }
  const name = spec.name ?? `${spec.limit}-per-${spec.period}`;
  // Nominal, for RateLimit-Policy `w`; the real end of the period is in `t`.
  const windowS = spec.period === 'day' ? DAY_S : 30 * DAY_S;
  return {
    id: `${origin}:q:${spec.name ?? `${spec.period}-${tz}`}`,
    perRoute: origin === 'cfg',
    name,
    limit: spec.limit,
    unit: spec.period,
    timeZone: tz,
    rolling: undefined,
    windowS,
    by: spec.by,
    header: spec.header,
    identityKeyed: identityKeyed(spec.by),
    policy: policyItem(name, spec.limit, windowS),
  };
}

export function quotaRule(q: CompiledQuota, periods: PeriodCache, now: number): QuotaRule & { id: string } {
  const p = periods.get(q.unit ?? 'day', q.timeZone, now);
  return { limit: q.limit, periodId: p.id, periodEndMs: p.endMs, id: p.id };
}

/** Per-plan compiled limits, built on first use in this snapshot. */
export class PlanLimits {
  readonly #rates = new Map<string, CompiledRate[]>();
  readonly #quotas = new Map<string, CompiledQuota[]>();

  rates(plan: Plan): CompiledRate[] {
    let list = this.#rates.get(plan.name);
    if (list === undefined) {
      list = (plan.rate_limits ?? []).map((s) => compileRate(s, 'plan'));
      this.#rates.set(plan.name, list);
    }
    return list;
  }

  quotas(plan: Plan): CompiledQuota[] {
    let list = this.#quotas.get(plan.name);
    if (list === undefined) {
      list = (plan.quotas ?? []).map((s) => compileQuota(s, 'plan'));
      this.#quotas.set(plan.name, list);
    }
    return list;
  }
}
