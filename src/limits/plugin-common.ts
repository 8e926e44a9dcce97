/**
 * What the rate-limit, quota and concurrency plugins share: the config fields about plans and failure,
 * and the choice of plan for a request (a route's `plan` overrides the caller's).
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { Plan } from '../model/index.js';
import type { RequestContext } from '../pipeline/context.js';
import type { PluginEnv } from '../pipeline/plugin.js';
import { failPolicySchema } from '../model/limit-schema.js';
import { planOf } from './plan-resolver.js';
import { nameSchema } from '../model/common.js';

export const planOptionsSchema = {
  plan: { ...nameSchema, description: 'Apply this plan to every caller of the route instead of their own.' },
  use_plans: {
    type: 'boolean',
    default: true,
    description: "Apply the caller's plan (key tier, then subscription, then app, then consumer).",
  },
  policy: failPolicySchema,
} as const;

/** The fields above as a plugin's `create` sees them (ajv has filled in the defaults). */
export type PlanOptions = FromSchema<{ type: 'object'; properties: typeof planOptionsSchema }>;

/** Picks the plan per request; an override naming no plan is a config error, refused at create time. */
export function planChooser(opts: PlanOptions, env: PluginEnv): (ctx: RequestContext) => Plan | undefined {
  if (opts.plan !== undefined) {
    const forced = env.identities.planByName.get(opts.plan);
    if (forced === undefined) throw new Error(`plan: plan "${opts.plan}" does not exist`);
    return () => forced;
  }
  if (!opts.use_plans) return () => undefined;
  const idx = env.identities;
  return (ctx) => planOf(ctx.identity, idx, ctx.subscriptionPlan);
}
