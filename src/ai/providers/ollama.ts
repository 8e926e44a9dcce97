import type { ProviderAdapter } from '../types.js';

// Placeholder while the adapter is written.
const todo = (): never => {
  throw new Error('adapter ollama not written yet');
};

export const ollamaAdapter: ProviderAdapter = {
  type: 'ollama',
  streamFormat: 'sse',
  defaultBaseUrl: undefined,
  chatRequest: todo,
  chatResponse: todo,
  chatStream: todo,
  failure: todo,
};
