/**
 * The CLI's client for the admin API: openapi-fetch, typed by the paths generated from the API's own
 * OpenAPI document (src/admin/openapi/admin-api.d.ts), so a call to a path, a parameter or a body the
 * API does not have is a type error. Under it, one fetch (global fetch, which is undici) turns transport
 * failures into a message naming the URL and error answers into `AdminApiError` carrying Keyway's error
 * body; openapi-fetch only ever sees successful JSON answers.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../admin/openapi/admin-api.js';
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

export type AdminClient = Client<paths>;

/** The data of a successful answer (errors were thrown as `AdminApiError` before openapi-fetch saw them). */
export async function answer<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  return (await call).data as T;
}

export function adminClient(ctx: CliContext): AdminClient {
  let base: URL;
  try {
    base = new URL(ctx.adminUrl);
  } catch {
    throw new CliError(`--admin-url (KEYWAY_ADMIN_URL) is not a URL: "${ctx.adminUrl}"`, 2);
  }
  const client = createClient<paths>({ baseUrl: base.href, fetch: (req) => send(ctx, base, req) });
  return client;
}

/** One admin call: the token, the timeout, and every way it can fail, as the CLI reports them. */
async function send(ctx: CliContext, base: URL, req: Request): Promise<Response> {
  const token = await resolveToken(ctx);
  const headers = new Headers(req.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set('accept', 'application/json');
  let res: Response;
  try {
    const body = req.body === null ? null : await req.text();
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body,
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
  if (!res.ok) {
    if (isErrorBody(parsed)) {
      const e = parsed.error;
      throw new AdminApiError(res.status, e.code, e.message, e.details ?? [], e.request_id);
    }
    throw new AdminApiError(res.status, `HTTP_${res.status}`, res.statusText, [], undefined);
  }
  // 204 and an empty body stay without one: openapi-fetch then answers `data: undefined`.
  return new Response(text === '' || res.status === 204 ? null : text, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
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
