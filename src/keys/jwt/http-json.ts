/**
 * Small, bounded JSON-over-HTTP calls for the auth plugins: JWKS and discovery documents, token
 * introspection. Every call has a total deadline and a response size cap, because an authorization
 * server that hangs or streams forever must turn into a prompt 503, not a pile of stuck requests.
 */
import { request } from 'undici';

export interface JsonCall {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Why a call failed, for debug logs; never carries the request body (it may hold a token or secret). */
export class HttpJsonError extends Error {
  constructor(readonly reason: 'timeout' | 'network' | 'status' | 'too-large' | 'not-json') {
    super(`authorization server call failed: ${reason}`);
    this.name = 'HttpJsonError';
  }
}

export async function fetchJson(url: string, call: JsonCall): Promise<unknown> {
  // A timer we clear, not AbortSignal.timeout(): a signal that fires after the call finished makes
  // undici destroy an already-consumed body and surface an unhandled error.
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), call.timeoutMs);
  try {
    return await exchange(url, call, ac.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function exchange(url: string, call: JsonCall, signal: AbortSignal): Promise<unknown> {
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: call.method ?? 'GET',
      headers: { accept: 'application/json', ...call.headers },
      body: call.body,
      signal,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
  } catch {
    throw new HttpJsonError(signal.aborted ? 'timeout' : 'network');
  }
  try {
    if (res.statusCode !== 200) throw new HttpJsonError('status');
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > call.maxBytes) throw new HttpJsonError('too-large');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > call.maxBytes) throw new HttpJsonError('too-large');
      chunks.push(buf);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new HttpJsonError('not-json');
    }
  } catch (err) {
    // undici's body errors on destroy; nobody else listens, so swallow it here.
    res.body.on('error', () => undefined).destroy();
    if (err instanceof HttpJsonError) throw err;
    throw new HttpJsonError(signal.aborted ? 'timeout' : 'network');
  }
}

/**
 * Key and metadata URLs must be HTTPS: whoever can answer them in clear text can mint tokens. Loopback
 * HTTP is allowed for development and tests (a sidecar IdP on the same host).
 */
export function checkAuthServerUrl(raw: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${field}: not a URL`);
  }
  if (url.username !== '' || url.password !== '') throw new Error(`${field}: must not carry credentials`);
  if (url.protocol === 'https:') return url;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && loopback) return url;
  throw new Error(`${field}: must be an https:// URL (http:// only on loopback)`);
}
