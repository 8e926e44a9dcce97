/** A Gemini `GenerateContentResponse` as a canonical chat completion: one choice per candidate. */
import type { ChatResponse, StreamIds } from '../../types.js';
import { assistantChoice, chatCompletion } from '../common/completion.js';
import { asObject } from '../common/shape.js';
import { candidates, finishReason, geminiUsage, promptBlocked } from './mapping.js';

export function geminiResponse(body: unknown, ids: StreamIds): ChatResponse {
  const obj = asObject(body);
  if (obj === undefined)
    // The engine answers a 200 it cannot read as a malformed provider answer (502).
    throw new Error('the provider answered 200 without a response object');
  const pieces = candidates(obj);
  const choices = pieces.map((c) =>
    assistantChoice(c.index, c.text, c.calls, finishReason(c.finish, c.calls.length > 0)),
  );
  // A blocked prompt has no candidate: the caller still gets a (filtered, empty) answer, as OpenAI gives.
  if (choices.length === 0)
    choices.push(assistantChoice(0, '', [], promptBlocked(obj) ? 'content_filter' : 'stop'));
  return chatCompletion(ids, choices, geminiUsage(obj['usageMetadata']));
}
