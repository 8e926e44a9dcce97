/**
 * AI endpoints answer errors the way their callers' SDKs expect, still carrying Keyway's code:
 * - OpenAI style: `{"error":{"message","type","param","code":"KW_ERR_…"},"request_id"}`;
 * - Anthropic style (`/v1/messages`): `{"type":"error","error":{"type","message","code"},"request_id"}`.
 * A stream that already started gets the error as its last event instead (see `streamErrorEvent`).
 */
import { KeywayError, isKeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../proxy/context.js';
import { sendError } from '../../proxy/send-error.js';

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

function anthropicErrorType(status: number): string {
  if (status === 503) return 'overloaded_error';
  if (status === 504) return 'api_error';
  return openAiErrorType(status);
}

/** The KeywayError for anything thrown (a non-Keyway error is a bug: reported through `onBug`). */
export function asKeywayError(err: unknown, onBug: (err: unknown) => void): KeywayError {
  if (isKeywayError(err)) return err;
  onBug(err);
  return new KeywayError('KW_ERR_INTERNAL');
}

export function errorBody(err: KeywayError, style: ErrorStyle, requestId: string): Record<string, unknown> {
  const param = err.details?.[0]?.path;
  if (style === 'anthropic') {
    return {
      type: 'error',
      error: {
        type: anthropicErrorType(err.status),
        message: err.message,
        code: err.code,
        details: err.details,
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

/** Answers an error before anything was sent; once headers are out, the connection is cut. */
export function sendAiError(ctx: RequestContext, err: KeywayError, style: ErrorStyle): void {
  ctx.errorCode = err.code;
  if (!ctx.res.headersSent) {
    ctx.response = { status: err.status, headers: {} };
    ctx.responded = true;
  }
  sendError(ctx.res, err, ctx.requestId, errorBody(err, style, ctx.requestId));
}
