/** A Gemini `GenerateContentResponse` as a canonical chat completion: one choice per candidate. */
import type { ChatResponse, StreamIds } from '../../types.js';
import { asObject } from '../common/shape.js';
import { candidates, finishReason, geminiUsage, promptBlocked } from './mapping.js';

export function geminiResponse(body: unknown, ids: StreamIds): ChatResponse {
  const obj = asObject(body);
  if (obj === undefined)
    // The engine answers a 200 it cannot read as a malformed provider answer (502).
    throw new Error('the provider answered 200 without a response object');
  const pieces = candidates(obj);
  const choices: ChatResponse['choices'] = pieces.map((c) => ({
    index: c.index,
    message: {
      role: 'assistant',
      content: c.text === '' && c.calls.length > 0 ? null : c.text,
      ...(c.calls.length > 0 ? { tool_calls: c.calls } : {}),
    },
    finish_reason: finishReason(c.finish, c.calls.length > 0),
    logprobs: null,
  }));
  // A blocked prompt has no candidate: the caller still gets a (filtered, empty) answer, as OpenAI gives.
  if (choices.length === 0)
    choices.push({
      index: 0,
      message: { role: 'assistant', content: '' },
      finish_reason: promptBlocked(obj) ? 'content_filter' : 'stop',
      logprobs: null,
    });
  const response: ChatResponse = {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices,
  };
  const usage = geminiUsage(obj['usageMetadata']);
  if (usage !== undefined) response.usage = usage;
  return response;
}
