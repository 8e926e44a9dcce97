/**
 * AI endpoints answer errors the way their callers' SDKs expect, still carrying Keyway's code:
 * - OpenAI style: `{"error":{"message","type","param","code":"KW_ERR_…"},"request_id"}` — the SDK raises
 *   the class of the status (RateLimitError…) with `code`, `param` and `type` from this object;
 * - Anthropic style (`/v1/messages`): `{"type":"error","error":{"type","message","code","details":
 *   {"error_code":"KW_ERR_…"}},"request_id"}` — `details.error_code` is where the Anthropic SDK looks for
 *   a machine-readable code (`err.errorCode`); `code` says the same for readers of the raw body.
 * Every error answered on an AI route takes this shape, whoever refused: the AI endpoints themselves, and
 * the route's other plugins (key-auth's 401 and 403, rate-limit's and quota's 429) through the ai-proxy
 * plugin's `errorBody`. A stream that already started gets the error as its last event instead.
 */
import { KeywayError, isKeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import { pluginFailed } from '../../pipeline/diagnostics.js';
import { replyError } from '../../pipeline/reply.js';

export type ErrorStyle = 'openai' | 'anthropic';

export function openAiErrorType(status: number): string {
  if (status === 400 || status === 413 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  return 'api_error';
}

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors) by status. */
function anthropicErrorType(status: number): string {
  if (status === 413) return 'request_too_large';
  if (status === 503) return 'overloaded_error';
  if (status === 504) return 'timeout_error';
  return openAiErrorType(status);
}

/** The error shape of an AI endpoint's path (after the route's strip_path): Anthropic's on `/v1/messages`. */
export function errorStyleOf(path: string): ErrorStyle {
  return path === '/v1/messages' || path === '/messages' ? 'anthropic' : 'openai';
}

/**
 * Retry-After (seconds) beyond which the SDKs are told not to retry. The OpenAI and Anthropic SDKs retry a
 * 429 or 5xx by themselves (twice by default) after sleeping for whatever Retry-After says: for a spent
 * quota or budget, until the period renews, hours later. `x-should-retry: false` (a header both obey)
 * makes them raise the error at once instead; a short wait (a per-minute rate) is still theirs to retry.
 */
const SDK_RETRY_MAX_S = 60;

function sdkRetryHint(ctx: RequestContext, err: KeywayError): void {
  const after = Number(err.headers?.['retry-after']);
  if (after > SDK_RETRY_MAX_S && !ctx.res.headersSent) ctx.res.setHeader('x-should-retry', 'false');
}

/**
 * The body of an error answered on an AI route by anyone (the route's `errorBody`, src/pipeline/plugin.ts),
 * with the SDK retry hint set on the response.
 */
export function routeErrorBody(ctx: RequestContext, err: KeywayError): unknown {
  sdkRetryHint(ctx, err);
  return errorBody(err, errorStyleOf(ctx.upstreamPath), ctx.requestId);
}

/** The KeywayError for anything thrown (a non-Keyway error is a bug: published as a plugin failure). */
export function asKeywayError(ctx: RequestContext, err: unknown): KeywayError {
  if (isKeywayError(err)) return err;
  pluginFailed(ctx, err);
  return new KeywayError('KW_ERR_INTERNAL');
}

export function errorBody(err: KeywayError, style: ErrorStyle, requestId: string): Record<string, unknown> {
  const param = err.details?.[0]?.path;
  if (style === 'anthropic') {
    const fields = err.details !== undefined && err.details.length > 0 ? { fields: err.details } : {};
    return {
      type: 'error',
      error: {
        type: anthropicErrorType(err.status),
        message: err.message,
        code: err.code,
        details: { error_code: err.code, ...fields },
      },
      request_id: requestId,
    };
  }
  return {
    error: {
      message: err.message,
      type: openAiErrorType(err.status),
      param: param ?? null,
      code: err.code,
      ...(err.details !== undefined && err.details.length > 0 ? { details: err.details } : {}),
    },
    request_id: requestId,
  };
}

/**
 * Answers an error before anything was sent (through the respond phase, src/pipeline/reply.ts); once headers
 * are out, the connection is cut.
 */
export function sendAiError(ctx: RequestContext, err: KeywayError, style: ErrorStyle): void {
  sdkRetryHint(ctx, err);
  replyError(ctx, err, errorBody(err, style, ctx.requestId));
}
