/**
 * A whole (non-streamed) JSON answer from an AI endpoint, with the headers every AI answer carries: the
 * request id and who served it. Serving a different provider or model than asked (an alias, a fallback)
 * is normal, so the headers say which one did — the body's `model` stays what the caller asked for.
 */
import type { RequestContext } from '../../pipeline/context.js';
import type { Served } from '../engine-types.js';

/** `x-keyway-ai-provider` / `x-keyway-ai-model`: the provider resource and its model name that served. */
export function servedHeaders(served: Served): Record<string, string> {
  return { 'x-keyway-ai-provider': served.provider, 'x-keyway-ai-model': served.model };
}

export function sendAiJson(
  ctx: RequestContext,
  body: unknown,
  served: Served | undefined,
  status = 200,
): void {
  const text = JSON.stringify(body);
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': ctx.requestId,
    ...(served === undefined ? {} : servedHeaders(served)),
  };
  ctx.response = { status, headers };
  ctx.responded = true;
  if (ctx.res.destroyed) return;
  ctx.res.writeHead(status, headers);
  ctx.res.end(text);
}
