/**
 * The data plane's request handler: route, run the plugin phases, forward, answer.
 *
 * A route without plugins goes straight to the upstream; a route with plugins runs its phases
 * (phases.ts: synchronously while its handlers answer synchronously).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywayError } from '../core/errors.js';
import type { CallObserver } from '../observe/call-observer.js';
import type { Snapshot } from '../snapshot/compile.js';
import { RequestContext, type ProxyResponse } from '../pipeline/context.js';
import { forward } from './forward.js';
import {
  acceptableRequestId,
  clientAddress,
  setForwardedHeaders,
  upstreamRequestHeaders,
  type TrustedProxies,
} from './headers.js';
import { sendError } from '../pipeline/send-error.js';
import { runPhases, type PhaseHooks } from './phases.js';
import { normalizePath, unsafePathReason, upstreamPath } from './upstream-path.js';

export interface HandlerOptions {
  snapshot(): Snapshot | undefined;
  trusted: TrustedProxies;
  maxUriBytes: number;
  maxHeaderBytes: number;
  /** Call records, metrics and trace propagation (src/observe); absent when all are off. */
  observer?: CallObserver | undefined;
  hooks: PhaseHooks;
}

export function createProxyHandler(opts: HandlerOptions, proto: 'http' | 'https') {
  const { trusted, maxUriBytes, maxHeaderBytes, hooks, observer } = opts;

  return function keywayProxy(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = process.hrtime.bigint();
    const incomingId = req.headers['x-request-id'];
    const requestId = acceptableRequestId(incomingId) ? incomingId : randomUUID();
    const url = req.url ?? '/';
    const malformed = refusalBeforeRouting(req, url, maxUriBytes, maxHeaderBytes);
    if (malformed !== undefined) return refuse(observer, req, res, requestId, startedAt, malformed);
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
    const pathOnly = q === -1 ? url : url.slice(0, q);
    const rawPath = normalizePath(pathOnly);
    const method = req.method ?? 'GET';
    const match = snapshot.router.match(method, req.headers.host, rawPath, req.headers);
    if (match === undefined)
      return refuse(observer, req, res, requestId, startedAt, new KeywayError('KW_ERR_NO_ROUTE'));
    const unsafe = unsafePathReason(pathOnly, match.route.def.allow_encoded_slashes === true);
    if (unsafe !== undefined)
      return refuse(
        observer,
        req,
        res,
        requestId,
        startedAt,
        new KeywayError('KW_ERR_BAD_REQUEST', { reason: unsafe }),
      );

    const peer = req.socket.remoteAddress ?? '';
    const trustedPeer = trusted.has(peer);
    const upstreamHeaders = upstreamRequestHeaders(req.headers, match.route.phases.identify.length > 0);
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

    (res as ProxyResponse).ctx = ctx;
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
    runPhases(ctx, phases, hooks);
  };
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

/** `headerBlockBytes` of a block with two Host fields. */
/** What is wrong with the request before it is routed (size limits, Host, request target), if anything. */
function refusalBeforeRouting(
  req: IncomingMessage,
  url: string,
  maxUriBytes: number,
  maxHeaderBytes: number,
): KeywayError | undefined {
  if (url.length > maxUriBytes) return new KeywayError('KW_ERR_URI_TOO_LONG', { limit: maxUriBytes });
  const block = headerBlockBytes(req.rawHeaders);
  if (block > maxHeaderBytes) return new KeywayError('KW_ERR_HEADERS_TOO_LARGE', { limit: maxHeaderBytes });
  const hostProblem = block === TWO_HOSTS ? 'more than one Host header' : checkHost(req);
  if (hostProblem !== undefined) return new KeywayError('KW_ERR_BAD_REQUEST', { reason: hostProblem });
  if (url.charCodeAt(0) !== 47 /* '/' */)
    return new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'request target must be an absolute path' });
  return undefined;
}

const TWO_HOSTS = -1;

/** Size of the header block, or TWO_HOSTS: Node keeps the first of duplicate Host fields and drops the rest. */
function headerBlockBytes(raw: string[]): number {
  let n = 0;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    n += name.length + (raw[i + 1]?.length ?? 0) + 4;
    if (name.length === 4 && isHost(name)) hosts++;
  }
  return hosts > 1 ? TWO_HOSTS : n;
}

/** `host` in any case, without the string `toLowerCase` would allocate for `Host` on every request. */
function isHost(name: string): boolean {
  return (
    (name.charCodeAt(0) | 32) === 104 &&
    (name.charCodeAt(1) | 32) === 111 &&
    (name.charCodeAt(2) | 32) === 115 &&
    (name.charCodeAt(3) | 32) === 116
  );
}

/**
 * RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host field, with more than one,
 * or with an invalid value. Two Hosts are how requests are smuggled past a proxy that routes by one and an
 * upstream that reads the other; a comma is what a merged pair looks like.
 */
function checkHost(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined)
    return req.httpVersionMajor === 1 && req.httpVersionMinor === 0 ? undefined : 'missing Host header';
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c > 127 || HOST_CHARS[c] === 0) return 'invalid Host header';
  }
  return undefined;
}

/** RFC 3986 §3.2.2 reg-name, IP literal and port characters, less the comma. */
const HOST_CHARS = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+;=:[]")
  HOST_CHARS[ch.charCodeAt(0)] = 1;
