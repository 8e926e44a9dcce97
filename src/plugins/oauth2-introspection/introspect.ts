/**
 * The RFC 7662 call and its caching. Returns the claims of an active token, `undefined` for an inactive
 * one, and throws `IntrospectionUnavailable` when the server cannot answer — which the plugin turns into
 * 503: an unreachable authorization server is never a pass, and never cached as "inactive" either (that
 * would lock out valid callers for the negative TTL after the server came back).
 */
import { fetchJson, HttpJsonError } from '../../keys/jwt/http-json.js';
import { publishFetch } from '../../keys/auth-events.js';
import { tokenDigest, type Claims, type IntrospectionCache } from './token-cache.js';

export interface IntrospectionClient {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  tokenTypeHint: string | undefined;
  timeoutMs: number;
  maxTtlMs: number;
  negativeTtlMs: number;
}

export class IntrospectionUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`introspection unavailable: ${reason}`);
    this.name = 'IntrospectionUnavailable';
  }
}

export async function introspect(
  token: string,
  client: IntrospectionClient,
  cache: IntrospectionCache,
): Promise<Claims | undefined> {
  const key = tokenDigest(token);
  const now = Date.now();
  const hit = cache.active.get(key, now);
  // Re-check `exp` on every hit: the entry's own expiry is already bounded by it, this is belt and braces.
  if (hit !== undefined) return typeof hit.exp === 'number' && hit.exp * 1000 <= now ? undefined : hit;
  if (cache.inactive.get(key, now) !== undefined) return undefined;
  let pending = cache.inflight.get(key);
  if (pending === undefined) {
    pending = call(token, key, client, cache).finally(() => cache.inflight.delete(key));
    cache.inflight.set(key, pending);
  }
  return pending;
}

async function call(
  token: string,
  key: string,
  client: IntrospectionClient,
  cache: IntrospectionCache,
): Promise<Claims | undefined> {
  const form = new URLSearchParams({ token });
  if (client.tokenTypeHint !== undefined) form.set('token_type_hint', client.tokenTypeHint);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.authMethod === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before the Basic encoding.
    const id = encodeURIComponent(client.clientId);
    const secret = encodeURIComponent(client.clientSecret);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  let body: unknown;
  try {
    body = await fetchJson(client.endpoint, {
      method: 'POST',
      headers,
      body: form.toString(),
      timeoutMs: client.timeoutMs,
      maxBytes: 64 * 1024,
    });
  } catch (err) {
    const reason = err instanceof HttpJsonError ? err.reason : 'network';
    publishFetch({ kind: 'introspection', url: client.endpoint, ok: false, detail: reason });
    throw new IntrospectionUnavailable(reason);
  }
  if (typeof body !== 'object' || body === null || typeof (body as Claims).active !== 'boolean') {
    publishFetch({
      kind: 'introspection',
      url: client.endpoint,
      ok: false,
      detail: 'not an introspection response',
    });
    throw new IntrospectionUnavailable('not an introspection response');
  }
  publishFetch({ kind: 'introspection', url: client.endpoint, ok: true });
  const claims = body as Claims;
  const now = Date.now();
  // RFC 7662 §2.2: only `active: true` (the boolean) means active; a past `exp` or future `nbf` is not.
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf * 1000 : undefined;
  // An active *refresh* token is not an access token: some servers (oidc-provider among them) answer it as
  // active, with `token_type` saying what it is. Only access tokens open an API.
  const tokenType = typeof claims['token_type'] === 'string' ? claims['token_type'].toLowerCase() : undefined;
  const notAccess = tokenType !== undefined && tokenType.includes('refresh');
  if (
    claims.active !== true ||
    notAccess ||
    (exp !== undefined && exp <= now) ||
    (nbf !== undefined && nbf > now)
  ) {
    cache.inactive.set(key, true, now + client.negativeTtlMs);
    return undefined;
  }
  cache.active.set(key, claims, Math.min(exp ?? Infinity, now + client.maxTtlMs));
  return claims;
}
