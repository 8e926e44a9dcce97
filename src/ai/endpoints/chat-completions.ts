/**
 * `POST /v1/chat/completions` in the OpenAI format, over any provider. A non-streamed call answers the
 * provider's response (mapped) as JSON. A streamed one answers `data: {chunk}` events as the provider
 * produces them, then `data: [DONE]`; the usage chunk (`choices: []`) goes out only to callers that asked
 * with `stream_options.include_usage`, as OpenAI does. A stream that breaks after it started ends with
 * one `data: {"error":{…}}` event — OpenAI's own convention, which its SDKs raise as an error — and the
 * response ends: never a hung connection.
 */
import { isKeywayError, KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { AiGateway, Served } from '../engine-types.js';
import type { ChatChunk } from '../types.js';
import { readJsonBody } from './body.js';
import { errorBody } from './errors.js';
import { validateChatRequest } from './openai-request.js';
import { sendAiJson } from './reply.js';
import { startSse } from './sse-writer.js';

export async function chatCompletions(ctx: RequestContext, gw: AiGateway): Promise<void> {
  const req = validateChatRequest(await readJsonBody(ctx, gw.maxBodyBytes));
  const outcome = await gw.engine.chat(ctx, req);
  if (outcome.response !== undefined) {
    sendAiJson(ctx, outcome.response, outcome.served);
    return;
  }
  await streamChunks(ctx, outcome.served, outcome.stream, req.stream_options?.include_usage === true);
}

async function streamChunks(
  ctx: RequestContext,
  served: Served,
  stream: AsyncIterable<ChatChunk>,
  includeUsage: boolean,
): Promise<void> {
  const sse = startSse(ctx, served);
  try {
    for await (const chunk of stream) {
      // The caller left: stop reading (the engine cancels the provider call and settles usage).
      if (sse.closed) break;
      if (chunk.choices.length === 0) {
        if (!includeUsage) continue;
      } else if (includeUsage) {
        // With include_usage OpenAI puts `"usage": null` on every chunk but the last.
        chunk.usage = null;
      }
      const pending = sse.send(chunk);
      if (pending !== undefined) await pending;
    }
    if (!sse.closed) await sse.send('[DONE]');
  } catch (err) {
    const kerr = isKeywayError(err) ? err : new KeywayError('KW_ERR_INTERNAL');
    ctx.errorCode = kerr.code;
    if (!sse.closed) await sse.send(errorBody(kerr, 'openai', ctx.requestId));
    // A bug (not a KeywayError) is still reported by the dispatcher once the stream is closed.
    if (!isKeywayError(err)) throw err;
  } finally {
    sse.end();
  }
}
