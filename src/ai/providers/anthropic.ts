/**
 * Anthropic Messages API (https://docs.anthropic.com/en/api/messages): POST {base}/v1/messages with
 * `x-api-key` and `anthropic-version` (the provider's api_version, else 2023-06-01). What maps to what is
 * listed in docs/ai-providers.md; each direction lives in src/ai/providers/anthropic/.
 */
import type { ProviderAdapter } from '../types.js';
import { anthropicFailure } from './anthropic/failure.js';
import { anthropicRequest } from './anthropic/request.js';
import { anthropicResponse } from './anthropic/response.js';
import { anthropicStream } from './anthropic/stream.js';

export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  streamFormat: 'sse',
  defaultBaseUrl: 'https://api.anthropic.com',
  chatRequest: anthropicRequest,
  chatResponse: (body, _target, ids) => anthropicResponse(body, ids),
  chatStream: (_target, ids) => anthropicStream(ids),
  failure: anthropicFailure,
};
