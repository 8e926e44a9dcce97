import type { ProviderAdapter } from '../types.js';

// Placeholder while the adapter is written.
const todo = (): never => {
  throw new Error('adapter gemini not written yet');
};

export const geminiAdapter: ProviderAdapter = {
  type: 'gemini',
  streamFormat: 'sse',
  defaultBaseUrl: undefined,
  chatRequest: todo,
  chatResponse: todo,
  chatStream: todo,
  failure: todo,
};
