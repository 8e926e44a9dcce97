/**
 * Any server speaking the OpenAI API (vLLM, LM Studio, llama.cpp server, Together, Groq, OpenRouter,
 * DeepInfra…): `base_url` is required (up to and including the version segment, e.g.
 * `http://vllm:8000/v1`), the key is optional (`Authorization: Bearer` when the pool has one).
 *
 * Streams ask for usage (`stream_options.include_usage`) like for OpenAI; servers that ignore the flag,
 * or reject nothing but never send usage, still work: the engine counts tokens itself then.
 */
import type { ProviderAdapter } from '../types.js';
import { openAiWireAdapter } from './openai-wire.js';

export const openaiCompatibleAdapter: ProviderAdapter = openAiWireAdapter({
  type: 'openai_compatible',
  defaultBaseUrl: undefined,
  url: (target, operation) => `${target.provider.baseUrl}/${operation}`,
  auth: (key): Record<string, string> => (key === undefined ? {} : { authorization: `Bearer ${key}` }),
});
