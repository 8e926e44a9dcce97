/**
 * Runs a route's plugin phases in order — identify (any-of), authorize, limit, transform, proxy — then
 * forwards. Synchronously for as long as every handler answers synchronously (a cached key, local
 * counters), and from the first handler that returns a promise on, in that promise's continuation:
 * an `async` runner cost a promise, a microtask turn per await and the function's resumption on every
 * request, even when nothing waited (bench `keyway-rate-limit`, measured in the commit that added this).
 */
import { KeywayError, isKeywayError } from '../core/errors.js';
import type { PhaseHandler } from '../pipeline/context.js';
import type { RoutePhases } from '../pipeline/context.js';
import type { RequestContext } from '../pipeline/context.js';
import { forward, type ForwardHooks } from './forward.js';
import { sendError } from '../pipeline/send-error.js';

export type PhaseHooks = ForwardHooks & {
  /** A plugin threw something that is not a KeywayError: a bug, logged with the request id. */
  onPluginError(ctx: RequestContext, err: unknown): void;
};

/** Where a run stands: the phase list (0 identify … 4 proxy, 5 forward) and the next handler in it. */
const IDENTIFY = 0;
const FORWARD = 5;

export function runPhases(ctx: RequestContext, phases: RoutePhases, hooks: PhaseHooks): void {
  run(ctx, phases, phases, hooks, IDENTIFY, 0);
}

function listOf(active: RoutePhases, list: number): readonly PhaseHandler[] {
  switch (list) {
    case 1:
      return active.authorize;
    case 2:
      return active.limit;
    case 3:
      return active.transform;
    default:
      return active.proxy;
  }
}

function run(
  ctx: RequestContext,
  phases: RoutePhases,
  active: RoutePhases,
  hooks: PhaseHooks,
  list: number,
  index: number,
): void {
  try {
    if (list === IDENTIFY) {
      const identify = phases.identify;
      // Any-of: the first auth plugin that recognises a credential wins; the others are skipped.
      while (index < identify.length && ctx.identity === undefined) {
        const pending = identify[index++](ctx);
        if (pending !== undefined) return wait(pending, ctx, phases, active, hooks, list, index);
        if (ctx.responded) return;
      }
      if (identify.length > 0) settleIdentity(ctx);
      // Consumer-scoped plugin configs take over once we know who is calling.
      const consumerId = ctx.identity?.consumerId;
      if (consumerId !== undefined) active = ctx.route.consumerPhases?.get(consumerId) ?? active;
      list = 1;
      index = 0;
    }
    for (; list < FORWARD; list++, index = 0) {
      const handlers = listOf(active, list);
      while (index < handlers.length) {
        const pending = handlers[index++](ctx);
        if (pending !== undefined) return wait(pending, ctx, phases, active, hooks, list, index);
        if (ctx.responded) return;
      }
    }
    if (active !== phases) ctx.route = { ...ctx.route, phases: active };
    forward(ctx, hooks);
  } catch (err) {
    fail(ctx, err, hooks);
  }
}

function wait(
  pending: Promise<void>,
  ctx: RequestContext,
  phases: RoutePhases,
  active: RoutePhases,
  hooks: PhaseHooks,
  list: number,
  index: number,
): void {
  pending.then(
    () => {
      if (!ctx.responded) run(ctx, phases, active, hooks, list, index);
    },
    (err: unknown) => fail(ctx, err, hooks),
  );
}

function settleIdentity(ctx: RequestContext): void {
  if (ctx.identity === undefined && ctx.auth !== undefined) {
    if (ctx.auth.anonymous === undefined) {
      throw new KeywayError(
        'KW_ERR_AUTH_MISSING',
        {},
        { headers: { 'www-authenticate': ctx.auth.challenges.join(', ') } },
      );
    }
    ctx.identity = ctx.auth.anonymous;
  }
  // The identity headers a client sent are already gone (headers.ts, IDENTITY_HEADERS).
  const h = ctx.upstreamHeaders;
  const id = ctx.identity;
  if (id === undefined) return;
  h['x-consumer-id'] = id.consumerId;
  h['x-consumer-username'] = id.consumerName;
  if (id.appId !== undefined) h['x-app-id'] = id.appId;
  if (id.credentialId !== undefined) h['x-credential-id'] = id.credentialId;
  if (id.scopes !== undefined) h['x-authenticated-scopes'] = id.scopes.join(' ');
}

function fail(ctx: RequestContext, err: unknown, hooks: PhaseHooks): void {
  let kerr: KeywayError;
  if (isKeywayError(err)) kerr = err;
  else {
    hooks.onPluginError(ctx, err);
    kerr = new KeywayError('KW_ERR_INTERNAL');
  }
  ctx.errorCode = kerr.code;
  // A route answered by a plugin may speak its clients' error format (AI routes: the SDKs' shapes).
  sendError(ctx.res, kerr, ctx.requestId, ctx.route.phases.errorBody?.(ctx, kerr));
}
