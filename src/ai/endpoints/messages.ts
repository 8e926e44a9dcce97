/**
 * `POST /v1/messages` in the Anthropic Messages format, over any provider: the request is checked and
 * translated to the canonical chat request (src/ai/messages-api/to-chat.ts), served by the engine like any
 * chat call, and the answer translated back — a `message` object, or Anthropic stream events written as
 * the provider's chunks arrive (src/ai/messages-api/stream-encoder.ts). Errors before the answer started
 * are Anthropic error objects (the dispatcher answers them in the `anthropic` style); a stream that breaks
 * after it started ends with an `event: error` and the response ends — never a hung connection.
 */
import { isKeywayError, KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import { AnthropicEventEncoder, type SseEvent } from '../messages-api/stream-encoder.js';
import { toChatRequest } from '../messages-api/to-chat.js';
import { newMessageId, toMessage } from '../messages-api/to-message.js';
import { validateMessagesRequest } from '../messages-api/validate.js';
import type { AiGateway, Served } from '../engine-types.js';
import { estimatePromptTokens } from '../tokens.js';
import type { ChatChunk } from '../types.js';
import { readJsonBody } from './body.js';
import { errorBody } from './errors.js';
import { sendAiJson } from './reply.js';
import { startSse, type SseWriter } from './sse-writer.js';

export async function anthropicMessages(ctx: RequestContext, gw: AiGateway): Promise<void> {
  const body = validateMessagesRequest(await readJsonBody(ctx, gw.maxBodyBytes));
  const req = toChatRequest(body);
  const outcome = await gw.engine.chat(ctx, req);
  if (outcome.response !== undefined) {
    sendAiJson(ctx, toMessage(outcome.response, body.model, newMessageId()), outcome.served);
    return;
  }
  const encoder = new AnthropicEventEncoder(newMessageId(), body.model, estimatePromptTokens(req));
  await streamEvents(ctx, outcome.served, outcome.stream, encoder);
}

async function streamEvents(
  ctx: RequestContext,
  served: Served,
  stream: AsyncIterable<ChatChunk>,
  encoder: AnthropicEventEncoder,
): Promise<void> {
  const sse = startSse(ctx, served);
  try {
    await sendAll(sse, encoder.start());
    for await (const chunk of stream) {
      // The caller left: stop reading (the engine cancels the provider call and settles usage).
      if (sse.closed) break;
      await sendAll(sse, encoder.chunk(chunk));
    }
    if (!sse.closed) await sendAll(sse, encoder.finishEvents());
  } catch (err) {
    const kerr = isKeywayError(err) ? err : new KeywayError('KW_ERR_INTERNAL');
    ctx.errorCode = kerr.code;
    if (!sse.closed) await sse.send(errorBody(kerr, 'anthropic', ctx.requestId), 'error');
    // A bug (not a KeywayError) is still reported by the dispatcher once the stream is closed.
    if (!isKeywayError(err)) throw err;
  } finally {
    sse.end();
  }
}

async function sendAll(sse: SseWriter, events: SseEvent[]): Promise<void> {
  for (const e of events) {
    const pending = sse.send(e.data, e.event);
    if (pending !== undefined) await pending;
  }
}
