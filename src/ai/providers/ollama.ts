/**
 * Ollama's native API (https://github.com/ollama/ollama/blob/main/docs/api.md): POST {base}/api/chat with
 * NDJSON streaming, /api/embed for embeddings, no key unless one is configured (then a bearer token).
 * What maps to what is listed in docs/ai-providers.md; each direction lives in src/ai/providers/ollama/.
 */
import type { ProviderAdapter } from '../types.js';
import { ollamaEmbeddingsRequest, ollamaEmbeddingsResponse } from './ollama/embeddings.js';
import { ollamaFailure } from './ollama/failure.js';
import { ollamaRequest } from './ollama/request.js';
import { ollamaResponse } from './ollama/response.js';
import { ollamaStream } from './ollama/stream.js';

export const ollamaAdapter: ProviderAdapter = {
  type: 'ollama',
  streamFormat: 'ndjson',
  defaultBaseUrl: 'http://127.0.0.1:11434',
  chatRequest: ollamaRequest,
  chatResponse: (body, _target, ids) => ollamaResponse(body, ids),
  chatStream: (_target, ids) => ollamaStream(ids),
  embeddingsRequest: ollamaEmbeddingsRequest,
  embeddingsResponse: (body, _target, model) => ollamaEmbeddingsResponse(body, model),
  failure: ollamaFailure,
};
