/**
 * OpenAI embeddings over Ollama's `/api/embed`: `{"model","input":[…],"dimensions"?}` →
 * `{"embeddings":[[…],…],"prompt_eval_count":n}`.
 */
import type { AttemptTarget, EmbeddingsRequest, EmbeddingsResponse, UpstreamCall } from '../../types.js';
import { apiUrl } from '../common/content.js';
import { embeddingTexts, embeddingsList } from '../common/embeddings.js';
import { asArray, asNumber, asObject } from '../common/shape.js';
import { ollamaHeaders } from './request.js';

export function ollamaEmbeddingsRequest(req: EmbeddingsRequest, target: AttemptTarget): UpstreamCall {
  const body = {
    model: target.model,
    input: embeddingTexts(req, 'ollama'),
    ...(req.dimensions === undefined ? {} : { dimensions: req.dimensions }),
  };
  return {
    method: 'POST',
    url: apiUrl(target.provider.baseUrl, 'api', 'embed'),
    headers: ollamaHeaders(target),
    body: JSON.stringify(body),
  };
}

export function ollamaEmbeddingsResponse(body: unknown, model: string): EmbeddingsResponse {
  const obj = asObject(body);
  const list = asArray(obj?.['embeddings']);
  if (obj === undefined || list.length === 0)
    // The engine answers a 200 it cannot read as a malformed provider answer (502).
    throw new Error('the provider answered 200 without embeddings');
  const vectors = list.map((v) => asArray(v).filter((x): x is number => typeof x === 'number'));
  return embeddingsList(vectors, model, asNumber(obj['prompt_eval_count']));
}
