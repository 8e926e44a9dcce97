/**
 * AI limits turned into what the request path needs, once per plugin config or plan (never per
 * request): the allow-list matcher, the GCRA rules of the request and token rates, budgets in
 * micro-dollars with their alert threshold.
 *
 * Counter ids name what is counted and where the limit is written, never its value: raising a budget
 * from $100 to $200 mid-month keeps what was spent. Plan counters do not name the plan (a key moved from
 * `free` to `gold` keeps its spend, as with quotas), and plugin counters do not name the config: a
 * consumer-scoped ai-proxy config that replaces the global one for a consumer keeps counting where the
 * global one left off. Both kinds are the caller's, so they count across every AI route of the workspace.
 */
import type { QuotaRule, RateRule } from '../../pipeline/counter-store.js';
import type { CalendarUnit, PeriodCache } from '../../core/quota-period.js';
import type { AiCatalog } from '../catalog.js';
import { modelMatcher, type ModelMatcher } from './models.js';
import { DEFAULT_ALERT_AT, type AiKeySource, type AiLimits } from '../../model/ai-limit-schema.js';

const MINUTE_MS = 60_000;
const MICRO = 1_000_000;

/** A per-minute rate whose bucket holds a whole minute's worth: `limit` at once, then `limit` a minute. */
/** One set of limits applied to a call, and the caller's plan (for `by: plan` subjects). */
export interface Applied {
  limits: CompiledAiLimits;
  plan: string | undefined;
}

export interface CompiledRate {
  /** Counter id (without workspace or subject). */
  id: string;
  /** Policy name in the RateLimit headers. */
  name: string;
  rule: RateRule;
}

export interface CompiledBudget {
  id: string;
  name: string;
  usd: number;
  /** The budget and its alert threshold in micro-dollars: integer counts, exact sums. */
  limitMicro: number;
  alertMicro: number;
  alertAt: number;
  unit: CalendarUnit;
  timeZone: string;
  by: readonly AiKeySource[];
}

export interface CompiledAiLimits {
  /** `plugin` or `plan:<name>`: where these limits are written (alerts, usage reports). */
  source: string;
  models: ModelMatcher | undefined;
  by: readonly AiKeySource[];
  rpm: CompiledRate | undefined;
  tpm: (CompiledRate & { countPrompt: boolean }) | undefined;
  budgets: readonly CompiledBudget[];
  /** Nothing to count: admission is the allow-list alone and settle has nothing to charge. */
  counts: boolean;
}

const DEFAULT_BY: readonly AiKeySource[] = ['key'];

/**
 * `origin` is `cfg` (plugin config) or `plan`; `plan` names the plan for policy names and alerts.
 * Throws on limits that contradict each other (two budgets sharing a name), which the snapshot reports
 * as a config problem.
 */
export function compileAiLimits(
  spec: AiLimits,
  origin: 'cfg' | 'plan',
  plan: string | undefined,
  catalog: Pick<AiCatalog, 'aliases'> | undefined,
): CompiledAiLimits {
  const by = spec.by ?? DEFAULT_BY;
  // Plan limits show in headers under the plan's name, so a caller can tell them from the route's own.
  const label = plan === undefined ? 'ai' : `${plan}.ai`;
  const perMinute = (limit: number, what: string): CompiledRate => ({
    id: `${origin}:${what}`,
    name: `${label}-${what}`,
    rule: { limit, windowMs: MINUTE_MS, burst: limit - 1 },
  });
  const seen = new Set<string>();
  const budgets = (spec.budgets ?? []).map((b): CompiledBudget => {
    const timeZone = b.time_zone ?? 'UTC';
    const name = b.name ?? `${b.period}-${timeZone.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    if (seen.has(name)) throw new Error(`budgets: two budgets are named "${name}" (give each a name)`);
    seen.add(name);
    const limitMicro = Math.round(b.usd * MICRO);
    const alertAt = b.alert_at ?? DEFAULT_ALERT_AT;
    return {
      id: `${origin}:b:${name}`,
      name,
      usd: b.usd,
      limitMicro,
      alertMicro: Math.ceil((limitMicro * alertAt) / 100),
      alertAt,
      unit: b.period,
      timeZone,
      by: b.by ?? by,
    };
  });
  const rpm = spec.requests_per_minute === undefined ? undefined : perMinute(spec.requests_per_minute, 'rpm');
  const tpm =
    spec.tokens_per_minute === undefined
      ? undefined
      : { ...perMinute(spec.tokens_per_minute, 'tpm'), countPrompt: spec.count_prompt_tokens ?? true };
  return {
    source: plan === undefined ? 'plugin' : `plan:${plan}`,
    models: spec.models === undefined ? undefined : modelMatcher(spec.models, catalog),
    by,
    rpm,
    tpm,
    budgets,
    counts: rpm !== undefined || tpm !== undefined || budgets.length > 0,
  };
}

/** The budget's counter rule for the period `now` falls in (the store keys the count by period id). */
export function budgetRule(b: CompiledBudget, periods: PeriodCache, now: number): QuotaRule {
  const p = periods.get(b.unit, b.timeZone, now);
  return { limit: b.limitMicro, periodId: p.id, periodEndMs: p.endMs };
}

/** Micro-dollars of a cost in USD (undefined: the model has no price, so it costs the budget nothing). */
export function microUsd(cost: number | undefined): number {
  return cost === undefined || !Number.isFinite(cost) || cost <= 0 ? 0 : Math.round(cost * MICRO);
}

export function usdOf(micro: number): number {
  return micro / MICRO;
}
