/**
 * OpenID Connect Discovery 1.0 / RFC 8414 metadata, so that pointing jwt-auth at an IdP is one line:
 * `discovery: https://idp.example/.well-known/openid-configuration` yields the issuer and `jwks_uri`.
 *
 * Cached per URL, one cache per node (PluginServices.discovery, like JWKS). The `issuer` in the document must equal the issuer the
 * URL was derived from (OIDC Discovery §4.3, RFC 8414 §3.3): otherwise a compromised or mistyped
 * metadata host could substitute another issuer's keys.
 */
import { publishFetch } from '../auth-events.js';
import { checkAuthServerUrl, fetchJson, HttpJsonError } from './http-json.js';
import { JwksUnavailable } from './jwks-cache.js';

export interface AuthServerMetadata {
  issuer: string;
  jwksUri: string;
}

interface Entry {
  meta: AuthServerMetadata | undefined;
  fetchedAt: number;
  attemptedAt: number;
  inflight: Promise<AuthServerMetadata | undefined> | undefined;
}

const WELL_KNOWN = '/.well-known/openid-configuration';
const MAX_AGE_MS = 3_600_000;
const RETRY_MS = 5_000;

/**
 * The issuer a discovery URL speaks for, when it can be told from the URL alone: OIDC puts the
 * document at `{issuer}/.well-known/openid-configuration`.
 */
export function issuerFromDiscoveryUrl(url: string): string | undefined {
  const u = new URL(url);
  if (!u.pathname.endsWith(WELL_KNOWN) || u.search !== '') return undefined;
  return `${u.origin}${u.pathname.slice(0, -WELL_KNOWN.length)}`;
}

export class DiscoveryCache {
  readonly #entries = new Map<string, Entry>();

  get(url: string, expectedIssuer: string, timeoutMs: number): Promise<AuthServerMetadata> {
    let e = this.#entries.get(url);
    if (e === undefined) {
      e = { meta: undefined, fetchedAt: 0, attemptedAt: 0, inflight: undefined };
      this.#entries.set(url, e);
    }
    return getMetadata(e, url, expectedIssuer, timeoutMs);
  }

  clear(): void {
    this.#entries.clear();
  }
}

async function getMetadata(
  e: Entry,
  url: string,
  expectedIssuer: string,
  timeoutMs: number,
): Promise<AuthServerMetadata> {
  const now = Date.now();
  const due = e.meta === undefined || now - e.fetchedAt > MAX_AGE_MS;
  if (due && (e.inflight !== undefined || now - e.attemptedAt >= RETRY_MS)) {
    const meta = await load(url, e, expectedIssuer, timeoutMs);
    if (meta !== undefined) return meta;
  }
  if (e.meta === undefined) throw new JwksUnavailable('discovery document unavailable');
  return e.meta;
}

function load(
  url: string,
  e: Entry,
  expectedIssuer: string,
  timeoutMs: number,
): Promise<AuthServerMetadata | undefined> {
  if (e.inflight !== undefined) return e.inflight;
  e.attemptedAt = Date.now();
  e.inflight = (async () => {
    try {
      const doc = await fetchJson(url, { timeoutMs, maxBytes: 256 * 1024 });
      const issuer = field(doc, 'issuer');
      const jwksUri = field(doc, 'jwks_uri');
      if (issuer !== expectedIssuer) throw new Error('issuer mismatch');
      checkAuthServerUrl(jwksUri, 'jwks_uri');
      e.meta = { issuer, jwksUri };
      e.fetchedAt = Date.now();
      publishFetch({ kind: 'discovery', url, ok: true });
      return e.meta;
    } catch (err) {
      const detail =
        err instanceof HttpJsonError ? err.reason : err instanceof Error ? err.message : 'invalid';
      publishFetch({ kind: 'discovery', url, ok: false, detail });
      return undefined;
    } finally {
      e.inflight = undefined;
    }
  })();
  return e.inflight;
}

function field(doc: unknown, name: string): string {
  const v = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[name] : undefined;
  if (typeof v !== 'string' || v === '') throw new Error(`metadata has no ${name}`);
  return v;
}
