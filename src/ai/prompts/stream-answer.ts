/**
 * A prompt API's answer streamed (`?stream=true`, response `openai`, text output): the chat completion
 * chunks as OpenAI sends them, `data: {chunk}` … `data: [DONE]`. When the provider's stream breaks after
 * the first byte went out, the caller gets one last `data: {"error": …}` event (the OpenAI error object
 * with its KW_ERR_* code) and the end of the response instead of `[DONE]`, never a hung connection.
 */
import { isKeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import { errorBody } from '../endpoints/errors.js';
import { startSse } from '../endpoints/sse-writer.js';
import type { Served } from '../engine-types.js';
import type { ChatChunk } from '../types.js';

export async function streamAnswer(
  ctx: RequestContext,
  served: Served,
  chunks: AsyncIterable<ChatChunk>,
): Promise<void> {
  const sse = startSse(ctx, served);
  try {
    for await (const chunk of chunks) {
      // The caller left: stop reading, which ends the provider's stream too (the iterator's return()).
      if (sse.closed) break;
      // The engine's closing usage chunk (`choices: []`) is for callers that ask with include_usage,
      // which a prompt API's caller cannot: usage is in the call record instead.
      if (chunk.choices.length === 0) continue;
      const wait = sse.send(chunk);
      if (wait !== undefined) await wait;
    }
    if (!sse.closed) await sse.send('[DONE]');
  } catch (err) {
    // Anything but a KeywayError is a bug: the dispatcher reports it and cuts the connection.
    if (!isKeywayError(err)) throw err;
    ctx.errorCode = err.code;
    await sse.send(errorBody(err, 'openai', ctx.requestId));
  }
  sse.end();
}
