/** An Ollama `/api/chat` answer (`stream: false`) as a canonical chat completion. */
import type { ChatResponse, StreamIds } from '../../types.js';
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
  const response: ChatResponse = {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && calls.length > 0 ? null : text,
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        finish_reason: finishReason(obj['done_reason'], calls.length > 0),
        logprobs: null,
      },
    ],
  };
  const usage = ollamaUsage(obj);
  if (usage !== undefined) response.usage = usage;
  return response;
}
