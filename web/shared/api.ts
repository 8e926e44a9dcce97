/**
 * The web apps' one way to call their listener's JSON API: same-origin `fetch` with the session cookie,
 * the CSRF header on every call that may change something, and Keyway's error body
 * (`{"error": {code, message, details}}`) turned into an `ApiError` the pages show as it is.
 */

export interface ErrorDetail {
  /** JSON pointer of the field (`/url`, `/routes/0/path`). */
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; request_id?: unknown };
}

function isDetail(d: unknown): d is ErrorDetail {
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof (d as ErrorDetail).path === 'string' &&
    typeof (d as ErrorDetail).message === 'string'
  );
}

async function toError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy in between): the status says enough.
  }
  const e = body.error ?? {};
  const details = Array.isArray(e.details) ? e.details.filter(isDetail) : [];
  return new ApiError(
    res.status,
    typeof e.code === 'string' ? e.code : `HTTP_${res.status}`,
    typeof e.message === 'string' ? e.message : res.statusText || `HTTP ${res.status}`,
    details,
    typeof e.request_id === 'string' ? e.request_id : undefined,
  );
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Api {
  request<T>(method: Method, path: string, body?: unknown): Promise<T>;
  get<T>(path: string): Promise<T>;
}

/** `csrf` gives the session's CSRF token (absent before sign-in). */
export function createApi(csrf: () => string | undefined, onUnauthorized?: () => void): Api {
  async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = csrf();
    if (method !== 'GET' && token !== undefined) headers['x-keyway-csrf'] = token;
    const res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) {
      const err = await toError(res);
      if (res.status === 401) onUnauthorized?.();
      throw err;
    }
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
  return { request, get: <T>(path: string) => request<T>('GET', path) };
}

/** A path segment, encoded: names come from users. */
export const seg = (s: string): string => encodeURIComponent(s);
