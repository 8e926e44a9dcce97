/**
 * The CLI's HTTP client for the admin API (global fetch, which is undici). It turns transport failures
 * into a message naming the URL, and error responses into `AdminApiError` carrying Keyway's error body.
 */
import type { ErrorBody, ErrorDetail } from '../core/errors.js';
import { CliError, resolveToken, type CliContext } from './context.js';

const TIMEOUT_MS = 60_000;

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[],
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }

  /** The node's error body as it came, for `--json`. */
  toBody(): { code: string; message: string; request_id?: string; details?: ErrorDetail[] } {
    return {
      code: this.code,
      message: this.message,
      ...(this.requestId === undefined ? {} : { request_id: this.requestId }),
      ...(this.details.length === 0 ? {} : { details: this.details }),
    };
  }

  /** One line for the terminal: code, message and the request id to grep the node's log for. */
  describe(): string {
    const id = this.requestId === undefined ? '' : ` (request id ${this.requestId})`;
    return `${this.code}: ${this.message}${id}`;
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { error?: { code?: unknown } }).error?.code === 'string'
  );
}

export interface AdminClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function adminClient(ctx: CliContext): AdminClient {
  let base: URL;
  try {
    base = new URL(ctx.adminUrl);
  } catch {
    throw new CliError(`--admin-url (KEYWAY_ADMIN_URL) is not a URL: "${ctx.adminUrl}"`, 2);
  }
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const token = await resolveToken(ctx);
      const url = new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base : new URL(base.href + '/'));
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: body === undefined ? null : JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw new CliError(
          `cannot reach the Keyway admin API at ${base.origin} (${reasonOf(err)}); is keyway running? ` +
            `(set --admin-url or KEYWAY_ADMIN_URL)`,
          1,
          'KW_ERR_ADMIN_UNREACHABLE',
        );
      }
      const text = await res.text();
      let parsed: unknown = undefined;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new CliError(
            `${base.origin} answered ${res.status} with a body that is not JSON: is that a Keyway admin API?`,
            1,
            'KW_ERR_ADMIN_UNREACHABLE',
          );
        }
      }
      if (res.ok) return parsed as T;
      if (isErrorBody(parsed)) {
        const e = parsed.error;
        throw new AdminApiError(res.status, e.code, e.message, e.details ?? [], e.request_id);
      }
      throw new AdminApiError(res.status, `HTTP_${res.status}`, res.statusText, [], undefined);
    },
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (typeof cause?.code === 'string') return cause.code;
    if (typeof cause?.message === 'string') return cause.message;
    return err.message;
  }
  return String(err);
}
