import type { ProviderAdapter } from '../types.js';

// Placeholder while the adapter is written.
const todo = (): never => {
  throw new Error('adapter mistral not written yet');
};

export const mistralAdapter: ProviderAdapter = {
  type: 'mistral',
  streamFormat: 'sse',
  defaultBaseUrl: undefined,
  chatRequest: todo,
  chatResponse: todo,
  chatStream: todo,
  failure: todo,
};
