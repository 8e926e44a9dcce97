/**
 * Reads an AI request's JSON body, bounded: over `maxBytes` → 413 KW_ERR_PROMPT_TOO_LARGE (the socket is
 * drained no further), not JSON or not an object → 400 KW_ERR_BAD_REQUEST naming what was wrong.
 */
import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../proxy/context.js';

export async function readJsonBody(ctx: RequestContext, maxBytes: number): Promise<Record<string, unknown>> {
  const req = ctx.req;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes)
    throw new KeywayError('KW_ERR_PROMPT_TOO_LARGE', { limit: maxBytes, unit: 'bytes' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new KeywayError('KW_ERR_PROMPT_TOO_LARGE', { limit: maxBytes, unit: 'bytes' });
    chunks.push(chunk);
  }
  ctx.bytesIn = size;
  const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'body is not valid JSON' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'body must be a JSON object' });
  return body as Record<string, unknown>;
}
