/**
 * The subscription check: a built-in `authorize` step, compiled per service when the snapshot compiles and
 * only for services that need it (`subscription_required`, or any subscription naming the service), so
 * other routes pay nothing. On a service that requires subscriptions, a caller whose app has no
 * `approved` subscription gets 403 KW_ERR_NOT_SUBSCRIBED, and the decision names why on the call record;
 * a caller without an app (a JWT `sub` mapped to a consumer, an anonymous fallback) cannot hold a
 * subscription and is refused too. An approved subscription's plan is left on the context for the limit
 * plugins (src/limits/plan-resolver.ts). Subscriptions travel in the snapshot: a change reaches every
 * node with the configuration version that carries it.
 */
import { KeywayError } from '../core/errors.js';
import type { Plan, Service, Stored, WorkspaceState } from '../model/index.js';
import type { PhaseHandler, RequestContext, RoutePhases } from '../pipeline/context.js';
import type { Identities } from '../pipeline/identity.js';

type ServiceFields = Pick<Service, 'name' | 'subscription_required'>;

interface Held {
  app: string;
  status: string;
  reason: string | undefined;
  plan: Plan | undefined;
  /** What attribute rules see as `subscription` (made once: no allocation per request). */
  view: Readonly<{ service: string; status: string; plan: string }>;
}

/** One workspace's subscription steps, by service name; wraps a route's phases with its service's step. */
export class SubscriptionGates {
  readonly #byService = new Map<string, Map<string, Held>>();
  readonly #steps = new Map<string, PhaseHandler>();
  /** Wrapped phases per step and original phases object: routes sharing phases share the wrapping. */
  readonly #wrapped = new Map<PhaseHandler, Map<RoutePhases, RoutePhases>>();

  constructor(
    ws: Pick<WorkspaceState, 'subscriptions'>,
    private readonly identities: Identities,
  ) {
    for (const s of ws.subscriptions) this.#add(s);
  }

  #add(s: Stored<'subscriptions'>): void {
    const app = this.identities.appByName.get(s.app);
    if (app === undefined) return;
    let held = this.#byService.get(s.service);
    if (held === undefined) this.#byService.set(s.service, (held = new Map<string, Held>()));
    const status = s.status ?? 'pending';
    held.set(app.id, {
      app: s.app,
      status,
      reason: s.reason,
      plan: s.plan === undefined ? undefined : this.identities.planByName.get(s.plan),
      view: Object.freeze({ service: s.service, status, plan: s.plan ?? '' }),
    });
  }

  /** `phases` with the service's subscription step first in `authorize`, or `phases` when it needs none. */
  wrap(service: ServiceFields, phases: RoutePhases): RoutePhases {
    const step = this.#stepFor(service);
    if (step === undefined) return phases;
    let cache = this.#wrapped.get(step);
    if (cache === undefined) this.#wrapped.set(step, (cache = new Map<RoutePhases, RoutePhases>()));
    let out = cache.get(phases);
    if (out === undefined) {
      out = {
        ...phases,
        authorize: [step, ...phases.authorize],
        authorizeBy: ['subscription', ...phases.authorizeBy],
        empty: false,
      };
      cache.set(phases, out);
    }
    return out;
  }

  #stepFor(service: ServiceFields): PhaseHandler | undefined {
    const required = service.subscription_required === true;
    const held = this.#byService.get(service.name);
    if (!required && held === undefined) return undefined;
    // Keyed by whether the service requires subscriptions too: a snapshot patch (src/snapshot/patch.ts)
    // recompiles a changed service's routes against these same gates.
    const key = required ? `${service.name}\u0000required` : service.name;
    let step = this.#steps.get(key);
    if (step === undefined) {
      step = subscriptionStep(service.name, required, held ?? new Map());
      this.#steps.set(key, step);
    }
    return step;
  }
}

function subscriptionStep(service: string, required: boolean, held: ReadonlyMap<string, Held>): PhaseHandler {
  return (ctx: RequestContext) => {
    const appId = ctx.identity?.appId;
    const sub = appId === undefined ? undefined : held.get(appId);
    if (sub !== undefined) ctx.subscription = sub.view;
    if (sub !== undefined && sub.status === 'approved') {
      ctx.subscriptionPlan = sub.plan;
      return;
    }
    if (!required) return;
    (ctx.decisions ??= []).push({ check: 'subscription', effect: 'deny', reason: whyNot(ctx, service, sub) });
    throw new KeywayError('KW_ERR_NOT_SUBSCRIBED', { service });
  };
}

function whyNot(ctx: RequestContext, service: string, sub: Held | undefined): string {
  const identity = ctx.identity;
  if (identity === undefined)
    return `service "${service}" requires a subscription and the caller is not identified`;
  if (identity.appName === undefined)
    return `service "${service}" requires a subscription and consumer "${identity.consumerName}" calls without an app`;
  if (sub === undefined) return `app "${identity.appName}" has no subscription to service "${service}"`;
  const why = sub.reason === undefined ? '' : `: ${sub.reason}`;
  return `app "${sub.app}"'s subscription to service "${service}" is ${sub.status}${why}`;
}
