import type { ProviderAdapter } from '../types.js';

// Placeholder while the adapter is written.
const todo = (): never => {
  throw new Error('adapter openai_compatible not written yet');
};

export const openaiCompatibleAdapter: ProviderAdapter = {
  type: 'openai_compatible',
  streamFormat: 'sse',
  defaultBaseUrl: undefined,
  chatRequest: todo,
  chatResponse: todo,
  chatStream: todo,
  failure: todo,
};
