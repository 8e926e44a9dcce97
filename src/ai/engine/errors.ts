/**
 * What the caller is told when providers fail. Provider messages are useful ("maximum context length
 * is 128000 tokens") but may quote what they should not: OpenAI's 401 message echoes part of the API
 * key, and some proxies name their own host. So every provider message passes through `sanitize` before
 * it reaches a KeywayError, and transport errors are described by their code only.
 */
import { KeywayError } from '../../core/errors.js';
import type { AttemptTarget } from '../types.js';
import type { AttemptFailure } from './upstream.js';

const MAX_MESSAGE_CHARS = 512;

/**
 * Token-like strings are masked even when they are not exactly our key: partial echoes
 * ("Incorrect API key provided: sk-test***…abcd"), `sk-proj-…`, Azure's 32-hex keys, long base64 runs.
 */
const KEY_LIKE = /\b(sk|rk|pk|key|api[-_]?key)[-_][A-Za-z0-9_*.-]{6,}|\b[A-Za-z0-9_-]{32,}\b/gi;
const URL_LIKE = /\bhttps?:\/\/[^\s"'<>]+/gi;

/** The provider's message made safe to show: no key (whole or partial), no URL, bounded length. */
export function sanitize(message: string, target: AttemptTarget | undefined): string {
  let out = message;
  const key = target?.key;
  if (key !== undefined && key.length >= 4) out = out.split(key).join('***');
  if (target !== undefined) out = out.split(target.provider.baseUrl).join('<provider>');
  out = out.replace(URL_LIKE, '<url>').replace(KEY_LIKE, '***');
  out = out.replace(/\s+/g, ' ').trim();
  if (out.length > MAX_MESSAGE_CHARS) out = `${out.slice(0, MAX_MESSAGE_CHARS)}…`;
  return out === '' ? 'the provider refused the request' : out;
}

/** A provider's refusal, passed to the caller with the provider's status (as the adapter mapped it). */
export function providerError(failure: AttemptFailure, target: AttemptTarget | undefined): KeywayError {
  const f = failure.failure;
  // Which deployment refused, as on a success: the caller (or its operator) can tell which one to look at.
  const headers: Record<string, string> =
    target === undefined
      ? {}
      : { 'x-keyway-ai-provider': target.provider.name, 'x-keyway-ai-model': target.model };
  if (f.status === 429 && f.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(f.retryAfterMs / 1000)));
  return new KeywayError(
    'KW_ERR_AI_PROVIDER',
    { reason: sanitize(f.message, target) },
    { status: f.status, headers },
  );
}

/**
 * The answer once every attempt and fallback is spent: the most truthful of a timeout (504), no usable
 * provider (503: every key cooling, or nothing reachable) and the last provider error.
 */
export function exhausted(
  model: string,
  last: { failure: AttemptFailure; target: AttemptTarget; timeoutMs: number } | undefined,
  coolingForMs: number,
): KeywayError {
  if (last === undefined)
    return new KeywayError(
      'KW_ERR_AI_NO_PROVIDER',
      { model, reason: 'every key of its providers is cooling down' },
      coolingForMs > 0 && Number.isFinite(coolingForMs)
        ? { headers: { 'retry-after': String(Math.ceil(coolingForMs / 1000)) } }
        : {},
    );
  if (last.failure.kind === 'timeout')
    return new KeywayError('KW_ERR_AI_PROVIDER_TIMEOUT', { timeout: `${last.timeoutMs} ms` });
  if (last.failure.kind === 'connect')
    return new KeywayError('KW_ERR_AI_NO_PROVIDER', { model, reason: 'its providers could not be reached' });
  return providerError(last.failure, last.target);
}
