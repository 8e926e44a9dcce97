/**
 * OpenAI (https://platform.openai.com/docs/api-reference/chat): the canonical format, so the adapter only
 * adds the URL (`{base_url}/chat/completions`, `{base_url}/embeddings`; base_url defaults to
 * https://api.openai.com/v1) and the `Authorization: Bearer` key. Organisation and project ids go in the
 * provider's `headers` (`OpenAI-Organization`, `OpenAI-Project`).
 */
import type { ProviderAdapter } from '../types.js';
import { openAiWireAdapter } from './openai-wire.js';

export const openaiAdapter: ProviderAdapter = openAiWireAdapter({
  type: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  url: (target, operation) => `${target.provider.baseUrl}/${operation}`,
  auth: (key): Record<string, string> => (key === undefined ? {} : { authorization: `Bearer ${key}` }),
});
