/**
 * Turns whatever went wrong while serving an admin request into Keyway's one error shape. Fastify's own
 * errors (validation, body parsing, limits) arrive as `FST_ERR_*`; they are mapped here so a client
 * never sees two error formats. Anything unexpected becomes KW_ERR_INTERNAL and stays in the log.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, maxHeaderSize, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorObject } from 'ajv';
import { KeywayError, isKeywayError, validationError } from '../core/errors.js';
import { toDetails } from '../core/validator.js';

/** Longest path parameter (a plugin key `name@service=a,route=b` is longer than find-my-way's 100). */
export const MAX_PARAM_LENGTH = 1024;

/** Printable, short and free of anything a log line could be tricked with. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@=+/-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && SANE_REQUEST_ID.test(given)) return given;
  return randomUUID();
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: ErrorObject[];
  validationContext?: string;
}

function asFastifyError(err: unknown): FastifyLikeError {
  return typeof err === 'object' && err !== null ? err : {};
}

/** The mapped error, and whether it is a surprise worth logging with its stack. */
export function toKeywayError(err: unknown, bodyLimit: number): { error: KeywayError; unexpected: boolean } {
  if (isKeywayError(err)) return { error: err, unexpected: err.status >= 500 };
  const e = asFastifyError(err);
  if (e.validation !== undefined) {
    // Body paths stay plain JSON pointers so `keyway apply` can map them back to YAML lines; other
    // parts (querystring, params) are named in the message.
    const part = e.validationContext ?? 'body';
    const details = toDetails(e.validation);
    const reason =
      part === 'body'
        ? undefined
        : `invalid ${part}: ${details.map((d) => `${d.path || '/'} ${d.message}`).join('; ')}`;
    return { error: validationError(details, reason), unexpected: false };
  }
  switch (e.code) {
    // Raised by the router before any route runs (Fastify's `frameworkErrors`); the URL is not echoed.
    case 'FST_ERR_BAD_URL':
      return {
        error: new KeywayError('KW_ERR_BAD_REQUEST', {
          reason: 'the URL path is not valid percent-encoding',
        }),
        unexpected: false,
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        error: new KeywayError('KW_ERR_URI_TOO_LONG', { limit: MAX_PARAM_LENGTH }),
        unexpected: false,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: new KeywayError('KW_ERR_PAYLOAD_TOO_LARGE', { limit: bodyLimit }), unexpected: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: new KeywayError('KW_ERR_UNSUPPORTED_MEDIA_TYPE', { expected: 'application/json' }),
        unexpected: false,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        error: validationError([{ path: '', message: 'body is empty' }], 'body is empty'),
        unexpected: false,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        error: validationError([{ path: '', message: 'body is not valid JSON' }], 'body is not valid JSON'),
        unexpected: false,
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        error: new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'content-length does not match the body' }),
        unexpected: false,
      };
    default:
      break;
  }
  // JSON.parse failures surface as SyntaxError with statusCode 400 in some Fastify paths.
  if (err instanceof SyntaxError && e.statusCode === 400) {
    return {
      error: validationError([{ path: '', message: 'body is not valid JSON' }], 'body is not valid JSON'),
      unexpected: false,
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own client errors carry safe, generic messages; keep the reason but our shape.
    return {
      error: new KeywayError(
        'KW_ERR_BAD_REQUEST',
        { reason: e.message ?? 'bad request' },
        { status: e.statusCode },
      ),
      unexpected: false,
    };
  }
  return { error: new KeywayError('KW_ERR_INTERNAL', {}, { cause: err }), unexpected: true };
}

/**
 * Answers HTTP that Node's parser refused (malformed request line or header, headers over
 * `--max-http-header-size`, a client too slow to send its headers) in Keyway's error shape; Fastify's
 * default writes its own `{"error","message","statusCode"}`. No request exists yet, so the id is new.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has no one to answer (the same test Node's and Fastify's defaults make).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let error: KeywayError;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    error = new KeywayError('KW_ERR_HEADERS_TOO_LARGE', { limit: maxHeaderSize });
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADER_TIMEOUT') {
    error = new KeywayError(
      'KW_ERR_BAD_REQUEST',
      { reason: 'the request was not sent in time' },
      { status: 408 },
    );
  } else {
    error = new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'the HTTP request could not be parsed' });
  }
  const id = randomUUID();
  const body = JSON.stringify(error.toBody(id));
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Bad Request'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${id}\r\nconnection: close\r\n\r\n${body}`,
  );
}
