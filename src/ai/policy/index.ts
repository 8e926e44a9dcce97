/**
 * The AI policy of one ai-proxy config: which models a caller may use, how many requests and tokens per
 * minute, how many dollars per day or month (docs/ai-budgets.md).
 *
 * Limits come from two places and both apply: the ai-proxy config itself (attached globally, to a
 * service, a route or a consumer — the most specific config wins, so a consumer-scoped one gives that
 * consumer its own limits), and the caller's plan (`ai:` in the plan; key tier > app plan > consumer
 * plan, or the config's `plan` override; `use_plans: false` ignores plans). A model must be allowed by
 * both; each rate and budget is counted and enforced on its own, and the first refusal answers.
 */
import { GuardedCounters } from '../../limits/guarded-store.js';
import { planChooser, planOptionsSchema } from '../../limits/plugin-common.js';
import type { FailPolicy } from '../../model/limit-schema.js';
import { PeriodCache } from '../../core/quota-period.js';
import type { PluginEnv } from '../../pipeline/plugin.js';
import type { RequestContext } from '../../pipeline/context.js';
import { pluginFailed } from '../../pipeline/diagnostics.js';
import type { AiPolicy } from '../engine-types.js';
import { compileAiLimits, type CompiledAiLimits } from './compile.js';
import { AiLimiter } from './limiter.js';
import type { Applied } from './compile.js';
import { aiLimitsProperties, type AiLimits } from '../../model/ai-limit-schema.js';

export { modelMatcher } from './models.js';
export type { AiLimits, BudgetSpec } from '../../model/ai-limit-schema.js';

export interface AiPolicyConfig extends AiLimits {
  /** Apply this plan to every caller instead of their own. */
  plan?: string;
  /** Apply the caller's plan's `ai` limits (default true). */
  use_plans?: boolean;
  /** When shared counters (Redis) cannot answer (default fail_open). */
  policy?: FailPolicy;
  /** Count without telling the caller in RateLimit headers. */
  hide_headers?: boolean;
}

export const aiPolicySchemaProperties = {
  ...aiLimitsProperties,
  ...planOptionsSchema,
  hide_headers: { type: 'boolean', default: false },
} as const;

/** The policy, plus a way to wait for the charges still in flight (tests, shutdown). */
export interface AiPolicyHandle extends AiPolicy {
  idle(): Promise<void>;
}

const STATE_KEY = 'kw.ai.policy';

export function createAiPolicy(config: AiPolicyConfig, env: PluginEnv): AiPolicyHandle {
  const policy = config.policy ?? 'fail_open';
  const own = compileAiLimits(config, 'cfg', undefined, env.ai);
  const choose = planChooser(
    {
      ...(config.plan === undefined ? {} : { plan: config.plan }),
      use_plans: config.use_plans ?? true,
      policy,
    },
    env,
  );
  // Every plan's limits compiled now: a plan that cannot compile is a config problem of this plugin, not
  // a failure on some caller's first request.
  const byPlan = new Map<string, CompiledAiLimits>();
  for (const [name, plan] of env.identities.planByName) {
    if (plan.ai === undefined) continue;
    try {
      byPlan.set(name, compileAiLimits(plan.ai, 'plan', name, env.ai));
    } catch (err) {
      throw new Error(`plan "${name}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const limiter = new AiLimiter({
    workspace: env.workspace,
    counters: new GuardedCounters(env.services, policy),
    periods: new PeriodCache(),
    alerts: env.services.budgetAlerts,
    hideHeaders: config.hide_headers ?? false,
    onBug: pluginFailed,
    ...(env.services.now === undefined ? {} : { now: env.services.now }),
  });

  const setsFor = (ctx: RequestContext): Applied[] => {
    const planName = choose(ctx)?.name;
    const sets: Applied[] = [{ limits: own, plan: planName }];
    const fromPlan = planName === undefined ? undefined : byPlan.get(planName);
    if (fromPlan !== undefined) sets.push({ limits: fromPlan, plan: planName });
    return sets;
  };
  const pending = new Set<Promise<void>>();
  // Nothing to check or count (no allow-list, no limits, no plan with `ai`): the common case costs nothing.
  const inert = own.models === undefined && !own.counts && byPlan.size === 0;
  const admitted = Promise.resolve();

  return {
    admit(ctx, model, promptTokens) {
      if (inert) return admitted;
      const sets = setsFor(ctx);
      // Settle charges what admission checked, even if the snapshot (and with it a plan) changes meanwhile.
      ctx.state.set(STATE_KEY, sets);
      return limiter.admit(ctx, sets, model, promptTokens);
    },
    settle(ctx, usage) {
      if (inert) return;
      const sets = (ctx.state.get(STATE_KEY) as Applied[] | undefined) ?? setsFor(ctx);
      const p = limiter.settle(ctx, sets, usage);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    visible(ctx, model) {
      if (inert) return true;
      return setsFor(ctx).every((s) => s.limits.models === undefined || s.limits.models(model));
    },
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
