/**
 * The one place the data plane writes a response head. Every answer to a routed request goes through
 * `replyHead` — the upstream's (forward.ts), a plugin's `ctx.respond` (request-termination), the AI
 * endpoints' JSON and event streams, and every error: 401/403/429 of the auth and limit plugins, the
 * gateway's 502/503/504 — so the route's `respond` phase (response-headers, the RateLimit headers) sees
 * them all. Answers before a route is known (`refuse`: 400, 404, 414, 431, 503 not ready) have no route
 * and so no respond phase; they are written here too.
 *
 * Errors take `{"error":{"code","message","request_id"}}` — or the route's own shape (`errorBody`, the AI
 * routes' SDK shapes). Upstream and internal details never reach the client; they go to the log with
 * the request id (src/pipeline/diagnostics.ts).
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { KeywayError } from '../core/errors.js';
import type { RequestContext } from './context.js';
import { pluginFailed } from './diagnostics.js';

/**
 * Runs the route's respond phase on `headers` and writes the head (the body is the caller's to stream).
 * `headers` is the caller's own object: the respond handlers edit it in place, no copy is made. Returns
 * false when a head already went out: nothing is written and the connection is cut, the only honest
 * signal left.
 */
export function replyHead(
  ctx: RequestContext,
  status: number,
  headers: OutgoingHttpHeaders,
  statusMessage?: string,
): boolean {
  const res = ctx.res;
  if (res.headersSent) {
    res.destroy();
    return false;
  }
  headers['x-request-id'] = ctx.requestId;
  const response = { status, headers };
  ctx.response = response;
  // ctx.route carries the consumer's phases once the consumer is known (src/proxy/phases.ts).
  const respond = ctx.route.phases.respond;
  for (let i = 0; i < respond.length; i++) {
    try {
      respond[i](ctx);
    } catch (err) {
      // A bug in a respond handler costs its own edit, not the answer.
      pluginFailed(ctx, err);
    }
  }
  ctx.responded = true;
  if (statusMessage !== undefined && statusMessage !== '')
    res.writeHead(response.status, statusMessage, response.headers);
  else res.writeHead(response.status, response.headers);
  return true;
}

/** A whole answer: the head through the respond phase, then the body. */
export function reply(
  ctx: RequestContext,
  status: number,
  headers: OutgoingHttpHeaders,
  body?: string | Buffer,
): void {
  // A client already gone gets nothing more (its connection is closed; the call record has what it needs).
  if (replyHead(ctx, status, headers) && !ctx.res.destroyed) ctx.res.end(body);
}

/**
 * An error answer on a routed request, in the route's error shape: `shape` when the caller has one (an AI
 * endpoint knows its style), else the route's `errorBody`, else Keyway's. Once a head is out, the
 * connection is cut instead.
 */
export function replyError(ctx: RequestContext, err: KeywayError, shape?: unknown): void {
  ctx.errorCode = err.code;
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  const body = JSON.stringify(shape ?? ctx.route.phases.errorBody?.(ctx, err) ?? err.toBody(ctx.requestId));
  reply(ctx, err.status, errorHeaders(err, body), body);
}

/** An error answer before a route is known (no route: no respond phase, no error shape but Keyway's). */
export function refuse(res: ServerResponse, err: KeywayError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(err.toBody(requestId));
  const headers = errorHeaders(err, body);
  headers['x-request-id'] = requestId;
  res.writeHead(err.status, headers);
  res.end(body);
}

function errorHeaders(err: KeywayError, body: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (err.headers !== undefined) Object.assign(headers, err.headers);
  return headers;
}
