/**
 * The request pipeline: the eight phases of DESIGN.md, in order, for one request.
 *
 *   route      match host, method and path; build the request's context (`routeRequest`)
 *   identify   any-of: the first auth plugin that recognises a credential wins; none → 401
 *   authorize  }
 *   limit      } every handler of the route, in priority order
 *   transform  }
 *   proxy      a plugin answers the route (the AI gateway), or forward.ts forwards it upstream
 *   respond    reply.ts, for every answer whoever makes it: the upstream's, a plugin's, an error
 *   log        once the response closed (`runLog`)
 *
 * What comes before routing (the request id, size limits, Host) is handler.ts's.
 *
 * The phases run synchronously for as long as every handler answers synchronously (a cached key, local
 * counters), and from the first handler that returns a promise on, in that promise's continuation:
 * an `async` runner cost a promise, a microtask turn per await and the function's resumption on every
 * request, even when nothing waited (bench `keyway-rate-limit`, measured in the commit that added this).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywayError, isKeywayError } from '../core/errors.js';
import type { CallObserver } from '../observe/call-observer.js';
import type { PhaseHandler, RoutePhases } from '../pipeline/context.js';
import type { Snapshot } from '../snapshot/compile.js';
import { RequestContext, type ProxyResponse } from '../pipeline/context.js';
import { pluginFailed } from '../pipeline/diagnostics.js';
import { forward } from './forward.js';
import {
  clientAddress,
  setForwardedHeaders,
  upstreamRequestHeaders,
  type TrustedProxies,
} from './headers.js';
import { refuse, reply, replyError } from '../pipeline/reply.js';
import { normalizePath, unsafePathReason, upstreamPath } from './upstream-path.js';

/** What the pipeline needs of its listener, made once per listener (not per request). */
export interface PipelineEnv {
  trusted: TrustedProxies;
  proto: 'http' | 'https';
  /** Call records, metrics and trace propagation (src/observe); absent when all are off. */
  observer: CallObserver | undefined;
}

/** The `route` phase, then the others: the request's answer is under way when this returns. */
export function routeRequest(
  env: PipelineEnv,
  snapshot: Snapshot,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  startedAt: bigint,
  url: string,
): void {
  const observer = env.observer;
  const q = url.indexOf('?');
  const pathOnly = q === -1 ? url : url.slice(0, q);
  const rawPath = normalizePath(pathOnly);
  const method = req.method ?? 'GET';
  const match = snapshot.router.match(method, req.headers.host, rawPath, req.headers);
  if (match === undefined)
    return refused(observer, req, res, requestId, startedAt, new KeywayError('KW_ERR_NO_ROUTE'));
  const unsafe = unsafePathReason(pathOnly, match.route.def.allow_encoded_slashes === true);
  if (unsafe !== undefined)
    return refused(
      observer,
      req,
      res,
      requestId,
      startedAt,
      new KeywayError('KW_ERR_BAD_REQUEST', { reason: unsafe }),
    );

  const trusted = env.trusted;
  const peer = req.socket.remoteAddress ?? '';
  const trustedPeer = trusted.has(peer);
  const upstreamHeaders = upstreamRequestHeaders(req.headers, match.route.phases.identify.length > 0);
  setForwardedHeaders(upstreamHeaders, req.headers, peer, env.proto, trustedPeer);
  upstreamHeaders['x-request-id'] = requestId;

  const ctx = new RequestContext({
    req,
    res,
    requestId,
    startedAt,
    clientIp: trustedPeer ? clientAddress(peer, req.headers['x-forwarded-for'], trusted) : peer,
    route: match.route,
    params: match.params,
    upstreamPath: upstreamPath(match, rawPath),
    upstreamQuery: q === -1 ? '' : url.slice(q),
    upstreamHeaders,
  });

  (res as ProxyResponse).ctx = ctx;
  observer?.track(ctx);
  const phases = match.route.phases;
  // One listener for everything that waits for the response to close: the upstream exchange (a client
  // gone first aborts it), the call record, the log phase.
  res.on('close', () => {
    ctx.onClientGone?.();
    observer?.finish(ctx);
    if (phases.log.length > 0) runLog(ctx);
  });
  if (phases.empty) {
    forward(ctx);
    return;
  }
  run(ctx, phases, phases, IDENTIFY, 0);
}

/** Answers before a route is known; they still get a call record (no route, service or consumer in it). */
export function refused(
  observer: CallObserver | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  startedAt: bigint,
  err: KeywayError,
): void {
  observer?.refused(req, res, requestId, startedAt, err.code);
  refuse(res, err, requestId);
}

/** Where a run stands: the phase list (0 identify … 4 proxy, 5 forward) and the next handler in it. */
const IDENTIFY = 0;
const FORWARD = 5;

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
  list: number,
  index: number,
): void {
  try {
    if (list === IDENTIFY) {
      const identify = phases.identify;
      // Any-of: the first auth plugin that recognises a credential wins; the others are skipped.
      while (index < identify.length && ctx.identity === undefined) {
        const pending = identify[index++](ctx);
        if (pending !== undefined) return wait(pending, ctx, phases, active, list, index);
        if (ctx.responded) return answer(ctx);
      }
      if (identify.length > 0) settleIdentity(ctx);
      // Consumer-scoped plugin configs take over once we know who is calling — for the respond phase
      // too, which reads them from ctx.route whoever answers.
      const consumerId = ctx.identity?.consumerId;
      if (consumerId !== undefined) {
        const own = ctx.route.consumerPhases?.get(consumerId);
        if (own !== undefined && own !== active) {
          active = own;
          ctx.route = { ...ctx.route, phases: active };
        }
      }
      list = 1;
      index = 0;
    }
    for (; list < FORWARD; list++, index = 0) {
      const handlers = listOf(active, list);
      while (index < handlers.length) {
        const pending = handlers[index++](ctx);
        if (pending !== undefined) return wait(pending, ctx, phases, active, list, index);
        if (ctx.responded) return answer(ctx);
      }
    }
    forward(ctx);
  } catch (err) {
    fail(ctx, err);
  }
}

function wait(
  pending: Promise<void>,
  ctx: RequestContext,
  phases: RoutePhases,
  active: RoutePhases,
  list: number,
  index: number,
): void {
  pending.then(
    () => {
      if (!ctx.responded) run(ctx, phases, active, list, index);
      else answer(ctx);
    },
    (err: unknown) => fail(ctx, err),
  );
}

/**
 * A handler answered. An answer made with `ctx.respond` is only recorded there (the context writes
 * nothing): it is written here, through the respond phase. One written already (the AI endpoints write
 * theirs through reply.ts) is left alone.
 */
function answer(ctx: RequestContext): void {
  const response = ctx.response;
  if (response === undefined || ctx.res.headersSent) return;
  const body = response.body;
  response.body = undefined;
  reply(ctx, response.status, response.headers, body);
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

function fail(ctx: RequestContext, err: unknown): void {
  let kerr: KeywayError;
  if (isKeywayError(err)) kerr = err;
  else {
    pluginFailed(ctx, err);
    kerr = new KeywayError('KW_ERR_INTERNAL');
  }
  // A route answered by a plugin may speak its clients' error format (AI routes: the SDKs' shapes).
  replyError(ctx, kerr);
}

/** The `log` phase: after the response closed. A handler that throws is reported, the others still run. */
function runLog(ctx: RequestContext): void {
  const list =
    (ctx.identity !== undefined && ctx.route.consumerPhases?.get(ctx.identity.consumerId)?.log) ||
    ctx.route.phases.log;
  for (const h of list) {
    try {
      h(ctx);
    } catch (err) {
      pluginFailed(ctx, err);
    }
  }
}
