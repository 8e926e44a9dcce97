/**
 * `quota`: usage per calendar day or month in a time zone, or per rolling window, from the plugin config
 * and the caller's plan (docs/limits.md). The counter renews at local midnight of the plan's zone (the
 * period is named by its local date, so every node agrees). Over quota → 429 KW_ERR_QUOTA_EXCEEDED with
 * Retry-After = seconds until renewal (not 403: the caller may come back). Usage is readable through
 * `GET /usage` and `keyway usage`. The call that takes a day or month quota to a level some `quota` alert
 * rule wants (80 %, 100 %…) reports it to `services.quotaAlerts` (src/limits/quota-alert.ts).
 */
import type { FromSchema } from 'json-schema-to-ts';
import { KeywayError } from '../../core/errors.js';
import { compileQuota, PlanLimits, quotaRule, type CompiledQuota } from '../../limits/compiled-limits.js';
import { CounterKeys } from '../../limits/counter-keys.js';
import { GuardedCounters } from '../../limits/guarded-store.js';
import { addEntry, limitHeaders, retryAfterSeconds, writeLimitHeaders } from '../../limits/limit-headers.js';
import { quotaSchema } from '../../model/limit-schema.js';
import { planChooser, planOptionsSchema } from '../../limits/plugin-common.js';
import { crossedLevels, quotaCrossing } from '../../limits/quota-alert.js';
import { PeriodCache } from '../../core/quota-period.js';
import type { QuotaDecision, QuotaRule, RateDecision } from '../../pipeline/counter-store.js';
import type { LocalCounterStore } from '../../limits/local-store.js';
import type { RequestContext } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';

interface Outcome {
  allowed: boolean;
  remaining: number;
  resetMs: number;
}

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    quotas: { type: 'array', items: quotaSchema, maxItems: 8, default: [] },
    ...planOptionsSchema,
    hide_headers: { type: 'boolean', default: false },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type QuotaConfig = FromSchema<typeof configSchema>;

export const quota = definePlugin<QuotaConfig>({
  name: 'quota',
  description:
    'Quotas per calendar day/month (time zone) or rolling window, from the config and the caller’s plan.',
  // After rate-limit: a request refused for rate does not use up quota.
  priority: 90,
  configSchema,
  create(config, env) {
    const counters = new GuardedCounters(env.services, config.policy);
    const own = config.quotas.map((s) => compileQuota(s, 'cfg'));
    const plans = new PlanLimits();
    const periods = new PeriodCache();
    const choose = planChooser(config, env);
    const keys = new CounterKeys<CompiledQuota>(`${env.workspace}:`);
    const hidden = config.hide_headers;
    const alerts = env.services.quotaAlerts;
    // The node's clock (PluginServices.now): Date.now, or the one a test pinned.
    const clock = env.services.now ?? Date.now;

    const rateOutcome = (d: RateDecision): Outcome => ({
      allowed: d.allowed,
      remaining: d.remaining,
      resetMs: d.allowed ? d.resetMs : d.retryAfterMs,
    });

    /** Tells the alerts when this call took a day or month quota across a level a rule wants. */
    const tell = (
      ctx: RequestContext,
      q: CompiledQuota,
      plan: string | undefined,
      counter: string,
      rule: QuotaRule,
      decision: QuotaDecision,
      now: number,
    ): QuotaDecision => {
      if (alerts === undefined || !decision.allowed) return decision;
      const levels = alerts.levels;
      if (levels.length === 0) return decision;
      const crossed = crossedLevels(levels, q.limit, decision.used, 1);
      if (crossed === undefined) return decision;
      const consumed = { ctx, quota: q, plan, counter, rule, decision, now, workspace: env.workspace };
      for (const percent of crossed) alerts.quotaCrossed(quotaCrossing(consumed, percent));
      return decision;
    };

    const take = async (ctx: RequestContext, q: CompiledQuota, plan: string | undefined, now: number) => {
      const key = keys.key(ctx, q, plan);
      if (q.rolling !== undefined) return rateOutcome(await counters.rate(key, q.rolling, 1, now));
      const rule = quotaRule(q, periods, now);
      return tell(ctx, q, plan, key, rule, await counters.quota(key, rule, 1, now), now);
    };

    // Embedded: the local store answers synchronously, so no promise per request.
    const sync = counters.sync;
    const takeSync = (ctx: RequestContext, q: CompiledQuota, plan: string | undefined, now: number) => {
      const key = keys.key(ctx, q, plan);
      const store = sync as LocalCounterStore;
      if (q.rolling !== undefined) return rateOutcome(store.consumeRateSync(key, q.rolling, 1, now));
      const rule = quotaRule(q, periods, now);
      return tell(ctx, q, plan, key, rule, store.consumeQuotaSync(key, rule, 1, now), now);
    };

    const record = (ctx: RequestContext, q: CompiledQuota, o: Outcome): void => {
      const entry = {
        name: q.name,
        limit: q.limit,
        windowS: q.windowS,
        remaining: o.remaining,
        resetS: Math.ceil(o.resetMs / 1000),
        hidden,
        policy: q.policy,
      };
      if (o.allowed) {
        addEntry(ctx, entry);
        return;
      }
      const headers = limitHeaders(ctx, entry);
      headers['retry-after'] = retryAfterSeconds(o.resetMs);
      throw new KeywayError('KW_ERR_QUOTA_EXCEEDED', {}, { headers });
    };

    return {
      limit(ctx) {
        const plan = choose(ctx);
        const fromPlan = plan === undefined ? [] : plans.quotas(plan);
        const list = fromPlan.length === 0 ? own : [...own, ...fromPlan];
        if (list.length === 0) return undefined;
        const now = clock();
        if (sync !== undefined) {
          for (const q of list) record(ctx, q, takeSync(ctx, q, plan?.name, now));
          return undefined;
        }
        return (async () => {
          for (const q of list) record(ctx, q, await take(ctx, q, plan?.name, now));
        })();
      },
      respond: writeLimitHeaders,
    };
  },
});
