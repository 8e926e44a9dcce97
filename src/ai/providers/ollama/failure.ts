/** Ollama error answers: `{"error":"model \"llama9\" not found, try pulling it first"}` with its status. */
import type { ProviderFailure } from '../../types.js';
import { bodyText, classifyFailure, type HeaderBag } from '../common/failure.js';
import { asObject, asString } from '../common/shape.js';

export function ollamaFailure(status: number, body: unknown, headers: HeaderBag): ProviderFailure {
  return classifyFailure(status, asString(asObject(body)?.['error']) ?? bodyText(body), headers);
}
