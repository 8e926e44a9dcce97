/**
 * OpenAI embeddings over Gemini's `batchEmbedContents` (one call for one or many inputs):
 * `{"requests":[{"model":"models/…","content":{"parts":[{"text":…}]},"outputDimensionality":…}]}` →
 * `{"embeddings":[{"values":[…]}]}`. Gemini reports no token count for embeddings (newer versions may add
 * `usageMetadata`, read when present); without it the engine counts the input.
 */
import type { AttemptTarget, EmbeddingsRequest, EmbeddingsResponse, UpstreamCall } from '../../types.js';
import { apiUrl } from '../common/content.js';
import { embeddingTexts, embeddingsList } from '../common/embeddings.js';
import { asArray, asNumber, asObject } from '../common/shape.js';
import { modelPath } from './request.js';

export function geminiEmbeddingsRequest(req: EmbeddingsRequest, target: AttemptTarget): UpstreamCall {
  const provider = target.provider;
  const model = modelPath(target.model);
  const requests = embeddingTexts(req, 'gemini').map((text) => ({
    model: decodeURIComponent(model),
    content: { parts: [{ text }] },
    ...(req.dimensions === undefined ? {} : { outputDimensionality: req.dimensions }),
  }));
  const headers: Record<string, string> = { ...provider.headers, 'content-type': 'application/json' };
  if (target.key !== undefined) headers['x-goog-api-key'] = target.key;
  return {
    method: 'POST',
    url: apiUrl(provider.baseUrl, 'v1beta', `${model}:batchEmbedContents`, ['v1beta', 'v1', 'v1alpha']),
    headers,
    body: JSON.stringify({ requests }),
  };
}

export function geminiEmbeddingsResponse(body: unknown, model: string): EmbeddingsResponse {
  const obj = asObject(body);
  const list = asArray(obj?.['embeddings']);
  if (obj === undefined || list.length === 0)
    // The engine answers a 200 it cannot read as a malformed provider answer (502).
    throw new Error('the provider answered 200 without embeddings');
  const vectors = list.map((e) =>
    asArray(asObject(e)?.['values']).filter((v): v is number => typeof v === 'number'),
  );
  const tokens = asNumber(asObject(obj['usageMetadata'])?.['promptTokenCount']);
  return embeddingsList(vectors, model, tokens);
}
