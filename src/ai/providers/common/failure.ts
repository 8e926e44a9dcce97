/**
 * One classification of provider error answers for the native-protocol adapters (Anthropic, Gemini,
 * Ollama): each adapter only digs the message out of its own error body, this decides what the status
 * means for the caller and for the attempt loop.
 *
 * - 401/403: the provider refused our credential. The caller did nothing wrong (its Keyway key was fine),
 *   so it gets 502, the key is cooled down and another key or target may serve.
 * - 429: rate limited; another key or target may serve, the key cools down, Retry-After is honoured.
 * - 408, 409 and 5xx (Anthropic's 529 "overloaded" included): retryable; 503/529 stay "unavailable"
 *   (503), 408/504 are timeouts (504), the rest 502.
 * - Other 4xx (400 "prompt is too long", 404 unknown model, 413, 422): the request is wrong for this
 *   provider; passed on as is and not retried — another attempt would get the same answer. This is the
 *   same classification as the OpenAI family's (openai-wire.ts), so a caller sees one behaviour.
 */
import type { ProviderFailure } from '../../types.js';

export type HeaderBag = Record<string, string | string[] | undefined>;

export function classifyFailure(status: number, message: string, headers: HeaderBag): ProviderFailure {
  const retryAfter = retryAfterMs(headers);
  const base = { message: message === '' ? `the provider answered ${status}` : message };
  const withRetry = retryAfter === undefined ? {} : { retryAfterMs: retryAfter };
  if (status === 401 || status === 403)
    return { ...base, status: 502, retryable: true, keyProblem: true, ...withRetry };
  if (status === 429) return { ...base, status: 429, retryable: true, keyProblem: true, ...withRetry };
  if (status === 408 || status === 504)
    return { ...base, status: 504, retryable: true, keyProblem: false, ...withRetry };
  if (status === 503 || status === 529)
    return { ...base, status: 503, retryable: true, keyProblem: false, ...withRetry };
  if (status === 409 || status >= 500)
    return { ...base, status: 502, retryable: true, keyProblem: false, ...withRetry };
  if (status >= 400) return { ...base, status, retryable: false, keyProblem: false };
  // 3xx: a provider (or a proxy before it) redirecting an API call is a misconfigured base_url.
  return { ...base, status: 502, retryable: false, keyProblem: false };
}

/**
 * `retry-after-ms` (milliseconds, sent by OpenAI-style servers) or `retry-after` (RFC 9110 §10.2.3:
 * delay-seconds or an HTTP-date). Undefined when absent or unparsable.
 */
export function retryAfterMs(headers: HeaderBag, now = Date.now()): number | undefined {
  const ms = Number(first(headers['retry-after-ms']));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = first(headers['retry-after'])?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Text of an error body that is not the provider's JSON (an HTML page from a proxy): its first line only. */
export function bodyText(body: unknown): string {
  if (typeof body !== 'string') return '';
  const line = body.trim().split('\n', 1)[0] ?? '';
  return line.startsWith('<') ? '' : line;
}
