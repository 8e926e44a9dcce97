/** An Ollama `/api/chat` answer (`stream: false`) as a canonical chat completion. */
import type { ChatResponse, StreamIds } from '../../types.js';
import { assistantChoice, chatCompletion } from '../common/completion.js';
import { asObject, asString } from '../common/shape.js';
import { finishReason, ollamaUsage, toolCalls } from './mapping.js';

export function ollamaResponse(body: unknown, ids: StreamIds): ChatResponse {
  const obj = asObject(body);
  const message = asObject(obj?.['message']);
  if (obj === undefined || message === undefined)
    // The engine answers a 200 it cannot read as a malformed provider answer (502).
    throw new Error('the provider answered 200 without a message');
  const calls = toolCalls(message);
  const text = asString(message['content']) ?? '';
  const choice = assistantChoice(0, text, calls, finishReason(obj['done_reason'], calls.length > 0));
  return chatCompletion(ids, [choice], ollamaUsage(obj));
}
