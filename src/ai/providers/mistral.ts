/**
 * Mistral (https://docs.mistral.ai/api/): OpenAI-like at `{base_url}/chat/completions` and
 * `{base_url}/embeddings` (base_url defaults to https://api.mistral.ai/v1), `Authorization: Bearer`. Its
 * request schema is strict — an unknown field is a 422 — so the body is rebuilt from the fields Mistral
 * documents, with the differences mapped:
 *
 *   tool_choice "required"                 → "any" (Mistral's name for it)
 *   seed                                   → random_seed
 *   max_completion_tokens                  → max_tokens
 *   role "developer"                       → "system"
 *   tool call ids not [a-zA-Z0-9]{9}       → a stable 9-character id derived from them (Mistral rejects
 *                                            others, e.g. OpenAI's `call_…` from an earlier turn)
 *   embeddings `dimensions`                → output_dimension
 *   embeddings `encoding_format`           → dropped (floats asked; the engine encodes base64 if wanted)
 *   stream_options, user, logprobs, logit_bias, store, metadata… → dropped (not in Mistral's API)
 *
 * Answers: Mistral always sends usage in the last stream chunk (next to its finish reason; the engine
 * takes it from there), finish reason `model_length` means `length`, `error` means the generation
 * stopped; content may come as typed parts (reasoning models), of which the text is kept.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, ProviderAdapter } from '../types.js';
import { openAiWireAdapter } from './openai-wire.js';

/** Chat request fields of Mistral's API; anything else is left out. */
const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'safe_prompt',
  'prompt_mode',
]);

/** Embeddings fields; `encoding_format` is left out: vectors come as floats and the engine encodes base64. */
const EMBEDDINGS_FIELDS = new Set(['model', 'input', 'output_dimension', 'output_dtype']);

const MISTRAL_TOOL_ID = /^[A-Za-z0-9]{9}$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Mistral-valid tool call id for `id`: itself when valid, else a stable 9-character digest. */
export function mistralToolId(id: string): string {
  if (MISTRAL_TOOL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += BASE62[digest[i] % 62];
  return out;
}

function mapMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    role: m.role === 'developer' ? 'system' : m.role,
    content: m.content,
  };
  if (m.role === 'assistant' && m.tool_calls !== undefined)
    out.tool_calls = m.tool_calls.map((t) => ({ ...t, id: mistralToolId(t.id) }));
  if (m.role === 'tool') {
    if (m.tool_call_id !== undefined) out.tool_call_id = mistralToolId(m.tool_call_id);
    if (m.name !== undefined) out.name = m.name;
  }
  return out;
}

export const mistralAdapter: ProviderAdapter = openAiWireAdapter({
  type: 'mistral',
  defaultBaseUrl: 'https://api.mistral.ai/v1',
  url: (target, operation) => `${target.provider.baseUrl}/${operation}`,
  auth: (key): Record<string, string> => (key === undefined ? {} : { authorization: `Bearer ${key}` }),
  chatBody: (body, req) => {
    if (req.seed !== undefined) body.random_seed ??= req.seed;
    if (req.max_completion_tokens !== undefined) body.max_tokens ??= req.max_completion_tokens;
    if (req.tool_choice === 'required') body.tool_choice = 'any';
    body.messages = req.messages.map(mapMessage);
    for (const field of Object.keys(body)) if (!CHAT_FIELDS.has(field)) delete body[field];
  },
  embeddingsBody: (body) => {
    if (body.dimensions !== undefined) body.output_dimension ??= body.dimensions;
    for (const field of Object.keys(body)) if (!EMBEDDINGS_FIELDS.has(field)) delete body[field];
  },
  finishReasons: { model_length: 'length', error: 'stop' },
});
