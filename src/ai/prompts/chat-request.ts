/**
 * The canonical chat request a prompt API call becomes: the system prompt (when the prompt API has one)
 * as a system message, the rendered template as the one user message, then the prompt's parameters and,
 * for JSON output, `response_format` (`json_schema` with the schema, or `json_object` without one). The
 * caller controls the variables only; model, parameters and format are the prompt API's.
 */
import type { ChatMessage, ChatRequest } from '../types.js';
import type { CompiledPrompt } from './compile.js';
import { renderTemplate } from './template.js';

export function chatRequestFor(
  prompt: CompiledPrompt,
  values: ReadonlyMap<string, string>,
  stream: boolean,
): ChatRequest {
  const messages: ChatMessage[] = [];
  if (prompt.system !== undefined)
    messages.push({ role: 'system', content: renderTemplate(prompt.system, values) });
  messages.push({ role: 'user', content: renderTemplate(prompt.template, values) });
  const base = prompt.base;
  const req: ChatRequest = { ...base, messages };
  // Nested values are the snapshot's: the engine and adapters get copies they may change freely.
  if (base.stop !== undefined) req.stop = Array.isArray(base.stop) ? [...base.stop] : base.stop;
  if (base.response_format !== undefined) req.response_format = structuredClone(base.response_format);
  if (stream) {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  return req;
}
