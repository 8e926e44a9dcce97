import type { ProviderAdapter } from '../types.js';

// Placeholder while the adapter is written.
const todo = (): never => {
  throw new Error('adapter azure not written yet');
};

export const azureAdapter: ProviderAdapter = {
  type: 'azure',
  streamFormat: 'sse',
  defaultBaseUrl: undefined,
  chatRequest: todo,
  chatResponse: todo,
  chatStream: todo,
  failure: todo,
};
