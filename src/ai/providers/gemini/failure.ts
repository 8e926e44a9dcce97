/**
 * Gemini error answers (Google's API error model): `{"error":{"code":429,"message":"…",
 * "status":"RESOURCE_EXHAUSTED","details":[…]}}`, sometimes wrapped in a one-element array. A bad API
 * key is a 400 INVALID_ARGUMENT with `reason: "API_KEY_INVALID"` in its details: that is our key's
 * fault, not the caller's request, so it is treated like a 401.
 */
import type { ProviderFailure } from '../../types.js';
import { bodyText, classifyFailure, type HeaderBag } from '../common/failure.js';
import { asArray, asObject, asString } from '../common/shape.js';

export function geminiFailure(status: number, body: unknown, headers: HeaderBag): ProviderFailure {
  const root: unknown = Array.isArray(body) ? (body as unknown[])[0] : body;
  const error = asObject(asObject(root)?.['error']);
  const code = asString(error?.['status']);
  const message = asString(error?.['message']) ?? bodyText(body);
  const keyInvalid = asArray(error?.['details']).some((d) => asObject(d)?.['reason'] === 'API_KEY_INVALID');
  const text = code === undefined ? message : `${code}: ${message}`;
  return classifyFailure(keyInvalid ? 401 : status, text, headers);
}
