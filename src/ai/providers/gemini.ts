/**
 * Google Gemini API (https://ai.google.dev/api): POST {base}/v1beta/models/{model}:generateContent and
 * :streamGenerateContent?alt=sse, :batchEmbedContents for embeddings, the key in `x-goog-api-key`. What
 * maps to what is listed in docs/ai-providers.md; each direction lives in src/ai/providers/gemini/.
 */
import type { ProviderAdapter } from '../types.js';
import { geminiEmbeddingsRequest, geminiEmbeddingsResponse } from './gemini/embeddings.js';
import { geminiFailure } from './gemini/failure.js';
import { geminiRequest } from './gemini/request.js';
import { geminiResponse } from './gemini/response.js';
import { geminiStream } from './gemini/stream.js';

export const geminiAdapter: ProviderAdapter = {
  type: 'gemini',
  streamFormat: 'sse',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  chatRequest: geminiRequest,
  chatResponse: (body, _target, ids) => geminiResponse(body, ids),
  chatStream: (_target, ids) => geminiStream(ids),
  embeddingsRequest: geminiEmbeddingsRequest,
  embeddingsResponse: (body, _target, model) => geminiEmbeddingsResponse(body, model),
  failure: geminiFailure,
};
