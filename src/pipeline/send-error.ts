/**
 * The one way the data plane answers with an error: `{"error":{"code","message","request_id"}}`.
 * Upstream and internal details never reach the client; they go to the log with the request id.
 */
import type { ServerResponse } from 'node:http';
import type { KeywayError } from '../core/errors.js';

export function sendError(
  res: ServerResponse,
  err: KeywayError,
  requestId: string,
  /** Another shape of the same error, for callers whose SDKs expect one (AI endpoints). */
  shape?: unknown,
): void {
  if (res.headersSent) {
    // The status line is gone: the only honest signal left is to cut the connection.
    res.destroy();
    return;
  }
  const body = JSON.stringify(shape ?? err.toBody(requestId));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    'cache-control': 'no-store',
  };
  if (err.headers !== undefined) Object.assign(headers, err.headers);
  res.writeHead(err.status, headers);
  res.end(body);
}
