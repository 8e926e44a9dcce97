/**
 * A whole (non-streamed) JSON answer from an AI endpoint, with the headers every AI answer carries: the
 * request id and who served it. Serving a different provider or model than asked (an alias, a fallback)
 * is normal, so the headers say which one did — the body's `model` stays what the caller asked for.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestContext } from '../../pipeline/context.js';
import { reply } from '../../pipeline/reply.js';
import type { Served } from '../engine-types.js';

export function sendAiJson(
  ctx: RequestContext,
  body: unknown,
  served: Served | undefined,
  status = 200,
): void {
  const text = JSON.stringify(body);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  // `x-keyway-ai-provider` / `x-keyway-ai-model`: the provider resource and its model name that served.
  if (served !== undefined) {
    headers['x-keyway-ai-provider'] = served.provider;
    headers['x-keyway-ai-model'] = served.model;
  }
  // Through the respond phase (src/pipeline/reply.ts): response-headers, the RateLimit headers.
  reply(ctx, status, headers, text);
}
