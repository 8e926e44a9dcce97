/**
 * `rate-limit`: several rates at once (e.g. 10/s and 1,000/h), from the plugin config and from the
 * caller's plan, each kept per key, app, consumer, plan, route, client IP or header (docs/limits.md).
 * Each is a sliding window (src/limits/sliding-window.ts): `limit` requests may come at once, and no
 * interval of `window` ever holds more. A refused request gets 429 KW_ERR_RATE_LIMITED with Retry-After
 * (when the oldest counted request leaves the window) and the RateLimit headers; admitted ones get the
 * headers too, unless `hide_headers`.
 *
 * Limits are checked in order and the first refusal stops the request; the units the earlier limits
 * took for it are given back, so a refused request costs the caller nothing.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { KeywayError } from '../../core/errors.js';
import { compileRate, PlanLimits, type CompiledRate } from '../../limits/compiled-limits.js';
import { CounterKeys } from '../../limits/counter-keys.js';
import { GuardedCounters } from '../../limits/guarded-store.js';
import { addEntry, limitHeaders, retryAfterSeconds, writeLimitHeaders } from '../../limits/limit-headers.js';
import { rateLimitSchema } from '../../model/limit-schema.js';
import { planChooser, planOptionsSchema } from '../../limits/plugin-common.js';
import type { RateDecision } from '../../pipeline/counter-store.js';
import type { RequestContext } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limits: { type: 'array', items: rateLimitSchema, maxItems: 16, default: [] },
    ...planOptionsSchema,
    hide_headers: { type: 'boolean', default: false },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type RateLimitConfig = FromSchema<typeof configSchema>;

export const rateLimit = definePlugin<RateLimitConfig>({
  name: 'rate-limit',
  description:
    'Rate limits (at most `limit` in any `window`, sliding) from the config and the caller’s plan, keyed by ' +
    'key/app/consumer/plan/route/IP/header.',
  priority: 100,
  configSchema,
  create(config, env) {
    const counters = new GuardedCounters(env.services, config.policy);
    const own = config.limits.map((s) => compileRate(s, 'cfg'));
    const plans = new PlanLimits();
    const choose = planChooser(config, env);
    const keys = new CounterKeys<CompiledRate>(`${env.workspace}:`);
    const hidden = config.hide_headers;
    // The node's clock (PluginServices.now): Date.now, or the one a test pinned.
    const clock = env.services.now ?? Date.now;

    /** The caller's rules: the config's, then its plan's (no copy when only one side has any). */
    const rulesFor = (chosen: ReturnType<typeof choose>): CompiledRate[] => {
      if (chosen === undefined) return own;
      const fromPlan = plans.rates(chosen);
      return own.length === 0 ? fromPlan : fromPlan.length === 0 ? own : [...own, ...fromPlan];
    };

    const admit = (ctx: RequestContext, r: CompiledRate, d: RateDecision): void => {
      const entry = {
        name: r.name,
        limit: r.rule.limit,
        windowS: r.windowS,
        remaining: d.remaining,
        resetS: Math.ceil(d.resetMs / 1000),
        hidden,
        policy: r.policy,
      };
      if (d.allowed) {
        addEntry(ctx, entry);
        return;
      }
      const headers = limitHeaders(ctx, entry);
      headers['retry-after'] = retryAfterSeconds(d.retryAfterMs);
      throw new KeywayError('KW_ERR_RATE_LIMITED', {}, { headers });
    };

    const sync = counters.sync;
    const refundSync = (r: CompiledRate, ctx: RequestContext, plan: string | undefined, now: number) =>
      sync?.chargeRateSync(keys.key(ctx, r, plan), r.rule, -1, now);
    return {
      limit(ctx) {
        const chosen = choose(ctx);
        const list = rulesFor(chosen);
        const plan = chosen?.name;
        if (list.length === 0) return undefined;
        const now = clock();
        // Embedded: the local store answers synchronously, so no promise (and no await) per request.
        // Several limits: a request refused by a later one gives back what the earlier ones took, so a
        // refused request costs the caller nothing (10/s + 1,000/h: hammering the hourly wall does not
        // also drain the per-second bucket).
        if (sync !== undefined) {
          for (let i = 0; i < list.length; i++) {
            const r = list[i];
            const key = keys.key(ctx, r, plan);
            const d = sync.consumeRateSync(key, r.rule, 1, now);
            if (!d.allowed) for (let j = 0; j < i; j++) refundSync(list[j], ctx, plan, now);
            admit(ctx, r, d);
          }
          return undefined;
        }
        return (async () => {
          for (let i = 0; i < list.length; i++) {
            const r = list[i];
            const d = await counters.rate(keys.key(ctx, r, plan), r.rule, 1, now);
            if (!d.allowed)
              for (let j = 0; j < i; j++) {
                const earlier = list[j];
                // Fire and forget: the refusal does not wait for the refund.
                void counters
                  .chargeRate(keys.key(ctx, earlier, plan), earlier.rule, -1, now)
                  .catch(() => undefined);
              }
            admit(ctx, r, d);
          }
        })();
      },
      respond: writeLimitHeaders,
    };
  },
});
