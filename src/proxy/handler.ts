/**
 * The data plane's request handler: route, run the plugin phases, forward, answer.
 *
 * A route without plugins takes a synchronous path with no promise at all (the bare-route benchmark
 * measures exactly that); a route with plugins awaits each phase handler in order.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywayError, isKeywayError } from '../core/errors.js';
import type { CallObserver } from '../observe/call-observer.js';
import type { Snapshot } from '../snapshot/compile.js';
import type { RoutePhases } from '../snapshot/types.js';
import { RequestContext } from './context.js';
import { forward, type ForwardHooks } from './forward.js';
import {
  acceptableRequestId,
  clientAddress,
  setForwardedHeaders,
  upstreamRequestHeaders,
  type TrustedProxies,
} from './headers.js';
import { sendError } from './send-error.js';
import { normalizePath, upstreamPath } from './upstream-path.js';

export interface HandlerOptions {
  snapshot(): Snapshot | undefined;
  trusted: TrustedProxies;
  maxUriBytes: number;
  maxHeaderBytes: number;
  /** Call records, metrics and trace propagation (src/observe); absent when all are off. */
  observer?: CallObserver | undefined;
  hooks: ForwardHooks & {
    /** A plugin threw something that is not a KeywayError: a bug, logged with the request id. */
    onPluginError(ctx: RequestContext, err: unknown): void;
  };
}

export function createProxyHandler(opts: HandlerOptions, proto: 'http' | 'https') {
  const { trusted, maxUriBytes, maxHeaderBytes, hooks, observer } = opts;

  return function keywayProxy(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = process.hrtime.bigint();
    const incomingId = req.headers['x-request-id'];
    const requestId = acceptableRequestId(incomingId) ? incomingId : randomUUID();
    const url = req.url ?? '/';
    if (url.length > maxUriBytes)
      return refuse(
        observer,
        req,
        res,
        requestId,
        startedAt,
        new KeywayError('KW_ERR_URI_TOO_LONG', { limit: maxUriBytes }),
      );
    if (headerBytes(req.rawHeaders) > maxHeaderBytes) {
      return refuse(
        observer,
        req,
        res,
        requestId,
        startedAt,
        new KeywayError('KW_ERR_HEADERS_TOO_LARGE', { limit: maxHeaderBytes }),
      );
    }
    if (url.charCodeAt(0) !== 47 /* '/' */) {
      return refuse(
        observer,
        req,
        res,
        requestId,
        startedAt,
        new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'request target must be an absolute path' }),
      );
    }
    const snapshot = opts.snapshot();
    if (snapshot === undefined)
      return refuse(
        observer,
        req,
        res,
        requestId,
        startedAt,
        new KeywayError('KW_ERR_NOT_READY', { reason: 'configuration not loaded yet' }),
      );

    const q = url.indexOf('?');
    const rawPath = normalizePath(q === -1 ? url : url.slice(0, q));
    const method = req.method ?? 'GET';
    const match = snapshot.router.match(method, req.headers.host, rawPath, req.headers);
    if (match === undefined)
      return refuse(observer, req, res, requestId, startedAt, new KeywayError('KW_ERR_NO_ROUTE'));

    const peer = req.socket.remoteAddress ?? '';
    const trustedPeer = trusted.has(peer);
    const upstreamHeaders = upstreamRequestHeaders(req.headers);
    setForwardedHeaders(upstreamHeaders, req.headers, peer, proto, trustedPeer);
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

    observer?.track(ctx);
    const phases = match.route.phases;
    // One listener for everything that waits for the response to close: the upstream exchange (a client
    // gone first aborts it), the call record, the log phase.
    res.on('close', () => {
      ctx.onClientGone?.();
      observer?.finish(ctx);
      if (phases.log.length > 0) runLog(ctx, hooks);
    });
    if (phases.empty) {
      forward(ctx, hooks);
      return;
    }
    runPhases(ctx, phases, hooks).catch((err: unknown) => fail(ctx, err, hooks));
  };
}

async function runPhases(
  ctx: RequestContext,
  phases: RoutePhases,
  hooks: HandlerOptions['hooks'],
): Promise<void> {
  if (phases.identify.length > 0) {
    // Any-of: the first auth plugin that recognises a credential wins; the others are skipped.
    for (const h of phases.identify) {
      // Handlers that answered synchronously (cached key, local counters) return undefined: awaiting
      // that would still cost a microtask turn per phase, measured on the key-auth bench.
      const pending = h(ctx);
      if (pending !== undefined) await pending;
      if (ctx.responded) return;
      if (ctx.identity !== undefined) break;
    }
    settleIdentity(ctx);
  }
  // Consumer-scoped plugin configs take over once we know who is calling.
  let active = phases;
  const consumerId = ctx.identity?.consumerId;
  if (consumerId !== undefined) {
    const override = ctx.route.consumerPhases?.get(consumerId);
    if (override !== undefined) active = override;
  }
  for (const list of [active.authorize, active.limit, active.transform, active.proxy]) {
    for (const h of list) {
      const pending = h(ctx);
      if (pending !== undefined) await pending;
      if (ctx.responded) return;
    }
  }
  if (active !== phases) ctx.route = { ...ctx.route, phases: active };
  forward(ctx, hooks);
}

/** Headers that carry the identity upstream; whatever a client sends under these names is dropped. */
const IDENTITY_HEADERS = [
  'x-consumer-id',
  'x-consumer-username',
  'x-app-id',
  'x-credential-id',
  'x-authenticated-scopes',
] as const;

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
  const h = ctx.upstreamHeaders;
  for (const name of IDENTITY_HEADERS) delete h[name];
  const id = ctx.identity;
  if (id === undefined) return;
  h['x-consumer-id'] = id.consumerId;
  h['x-consumer-username'] = id.consumerName;
  if (id.appId !== undefined) h['x-app-id'] = id.appId;
  if (id.credentialId !== undefined) h['x-credential-id'] = id.credentialId;
  if (id.scopes !== undefined) h['x-authenticated-scopes'] = id.scopes.join(' ');
}

function runLog(ctx: RequestContext, hooks: HandlerOptions['hooks']): void {
  const list =
    (ctx.identity !== undefined && ctx.route.consumerPhases?.get(ctx.identity.consumerId)?.log) ||
    ctx.route.phases.log;
  for (const h of list) {
    try {
      h(ctx);
    } catch (err) {
      hooks.onPluginError(ctx, err);
    }
  }
}

function fail(ctx: RequestContext, err: unknown, hooks: HandlerOptions['hooks']): void {
  if (isKeywayError(err)) {
    ctx.errorCode = err.code;
    sendError(ctx.res, err, ctx.requestId);
    return;
  }
  hooks.onPluginError(ctx, err);
  ctx.errorCode = 'KW_ERR_INTERNAL';
  sendError(ctx.res, new KeywayError('KW_ERR_INTERNAL'), ctx.requestId);
}

/** Answers before a route is known; they still get a call record (no route, service or consumer in it). */
function refuse(
  observer: CallObserver | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  startedAt: bigint,
  err: KeywayError,
): void {
  observer?.refused(req, res, requestId, startedAt, err.code);
  sendError(res, err, requestId);
}

function headerBytes(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) n += (raw[i]?.length ?? 0) + 2;
  return n;
}
