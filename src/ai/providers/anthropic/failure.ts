/**
 * Anthropic error answers: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
 * with 400 invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
 * 413 request_too_large, 429 rate_limit_error (with `retry-after`), 500 api_error, 529 overloaded_error.
 */
import type { ProviderFailure } from '../../types.js';
import { bodyText, classifyFailure, type HeaderBag } from '../common/failure.js';
import { asObject, asString } from '../common/shape.js';

export function anthropicFailure(status: number, body: unknown, headers: HeaderBag): ProviderFailure {
  const error = asObject(asObject(body)?.['error']);
  const type = asString(error?.['type']);
  const message = asString(error?.['message']) ?? bodyText(body);
  return classifyFailure(status, type === undefined ? message : `${type}: ${message}`, headers);
}
