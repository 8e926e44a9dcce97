/**
 * Requests the HTTP parser refuses before the handler sees them: a status line instead of a reset
 * (400 malformed, 414 / 431 oversized, 408 too slow), a request id, and a call record and log line naming
 * the client and the reason, so a probe shows up like any other call.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../core/errors.js';
import type { ParserRefusal } from '../observe/call-observer.js';

export type ParserError = Error & {
  code?: string;
  reason?: string;
  rawPacket?: Buffer;
  bytesParsed?: number;
};

/** Told of every refusal that got an answer; `reason` is for the log (the parser's code and words). */
export type RefusalReport = (refusal: ParserRefusal, reason: string) => void;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

export function onClientError(
  err: ParserError,
  socket: Socket,
  maxUriBytes: number,
  headerTimeoutMs: number,
  report: RefusalReport | undefined,
): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  let status = 400;
  let code: ErrorCode = 'KW_ERR_BAD_REQUEST';
  let message = 'malformed request';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    if (overflowIsRequestLine(err.rawPacket, err.bytesParsed, maxUriBytes)) {
      status = 414;
      code = 'KW_ERR_URI_TOO_LONG';
      message = `request target is longer than ${maxUriBytes} bytes`;
    } else {
      status = 431;
      code = 'KW_ERR_HEADERS_TOO_LARGE';
      message = 'request header fields are too large';
    }
  } else if (err.code === 'HPE_HEADER_TIMEOUT' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    code = 'KW_ERR_REQUEST_TIMEOUT';
    message = `request not received in time: headers took longer than ${headerTimeoutMs} ms (proxy.header_timeout_ms)`;
  }
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code, message, request_id: requestId } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
  if (report === undefined) return;
  const line = requestLine(err.rawPacket);
  report(
    {
      requestId,
      clientIp: socket.remoteAddress ?? '',
      method: line?.[1] ?? '',
      path: line?.[2] ?? '',
      status,
      code,
    },
    `${err.code ?? 'unknown'}: ${err.reason ?? err.message}`,
  );
}

const REQUEST_LINE = /^([A-Z]{1,20}) ([^ \r\n]{1,2048})/;

/** Method and target, when the refused read starts a request. */
function requestLine(packet: Buffer | undefined): RegExpExecArray | null {
  if (packet === undefined) return null;
  return REQUEST_LINE.exec(packet.toString('latin1', 0, Math.min(packet.length, 2100)));
}

const REQUEST_START = /^[A-Z]{1,20} /;
/**
 * Bytes a request-target never carries, even from lax clients (RFC 3986 §2 has no whitespace, controls, `"`
 * or non-ASCII; `[]{}|` do turn up unencoded in real URLs), while header values often do (`; ` between
 * cookies, spaces in User-Agent).
 */
const NOT_IN_TARGET = /[\x00-\x20"\x7f-\xff]/;

/**
 * Whether Node's header-size limit tripped inside the request line (414) rather than the header fields
 * (431). Node reports only the TCP read in which the limit was crossed (`rawPacket`) and where in it the
 * parser stopped (`bytesParsed`), not the bytes before, so a header block that arrives in several segments
 * must be judged from its last one:
 * - the read starts the request: its first line decides;
 * - the parser stopped inside the read: it stopped where the element that crossed the limit ended — a space
 *   before `HTTP/` ends the target, CR or `:` end a header field;
 * - the read ends inside an element: after a line break in the read that element is a header field; with no
 *   line break, a byte that cannot be in a request-target (a space between cookies…) makes it a header value.
 *   What is left — one long run of target-safe bytes, a giant token header or a giant URI — is judged a URI.
 */
export function overflowIsRequestLine(
  packet: Buffer | undefined,
  errorAt: number | undefined,
  maxUriBytes: number,
): boolean {
  if (packet === undefined || packet.length === 0) return true;
  const text = packet.toString('latin1');
  if (REQUEST_START.test(text)) {
    const eol = text.indexOf('\r\n');
    return eol === -1 || eol > maxUriBytes;
  }
  if (errorAt !== undefined && errorAt >= 0 && errorAt < text.length)
    return text.startsWith(' HTTP/', errorAt);
  if (text.includes('\n')) return false;
  return !NOT_IN_TARGET.test(text);
}
