/** OpenAI embeddings requests/answers around native embedding APIs (Gemini, Ollama). */
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../types.js';
import { badRequest } from './shape.js';

/**
 * The texts to embed. OpenAI also accepts token arrays (`number[]`, `number[][]`), which only make sense
 * for OpenAI's own tokenizer: refused with a 400 for other providers.
 */
export function embeddingTexts(req: EmbeddingsRequest, provider: string): string[] {
  const input = req.input;
  if (typeof input === 'string') return [input];
  if (input.every((v): v is string => typeof v === 'string')) {
    if (input.length === 0) throw badRequest('input must not be empty');
    return input;
  }
  throw badRequest(`input as token arrays is not supported by ${provider} providers; send text`);
}

/**
 * The OpenAI list of float embeddings. Native APIs answer floats only; the engine encodes them when the
 * caller asked for `encoding_format: "base64"` (the response mapping does not see the request).
 * Without a token count from the provider, `usage` is left out and the engine counts the input.
 */
export function embeddingsList(
  vectors: number[][],
  model: string,
  promptTokens: number | undefined,
): EmbeddingsResponse {
  const list = {
    object: 'list' as const,
    data: vectors.map((embedding, index) => ({ object: 'embedding' as const, index, embedding })),
    model,
  };
  return (
    promptTokens === undefined
      ? list
      : { ...list, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }
  ) as EmbeddingsResponse;
}
