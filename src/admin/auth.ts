/**
 * Admin authentication: `Authorization: Bearer <token>` or `Keyway-Admin-Token: <token>`.
 *
 * Tokens are looked up by their SHA-256 hash, so the store never holds one in clear. Recently verified
 * hashes are kept for a few seconds so a burst of admin calls (a CLI apply, the console) does not cost a
 * store round trip each; that cache is compared with `timingSafeEqual` so it leaks nothing through timing.
 * Failed lookups are not cached: an attacker could otherwise fill memory with them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KeywayError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { hashAdminToken } from './admin-token.js';

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 64;

export const WWW_AUTHENTICATE = 'Bearer realm="keyway-admin"';

export function unauthorized(): KeywayError {
  return new KeywayError('KW_ERR_UNAUTHORIZED', {}, { headers: { 'www-authenticate': WWW_AUTHENTICATE } });
}

/** The presented token, or undefined when the request carries none. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (m !== null) return m[1];
  }
  const direct = headers['keyway-admin-token'];
  if (typeof direct === 'string' && direct.length > 0) return direct.trim();
  return undefined;
}

interface CachedToken {
  hash: Buffer;
  name: string;
  until: number;
}

export interface AdminAuthenticator {
  /** The token's name (the audit actor); throws KW_ERR_UNAUTHORIZED. */
  authenticate(headers: IncomingHttpHeaders): Promise<string>;
}

export function createAuthenticator(store: Store, now: () => number = Date.now): AdminAuthenticator {
  let cache: CachedToken[] = [];

  function fromCache(hash: Buffer): string | undefined {
    const t = now();
    cache = cache.filter((c) => c.until > t);
    let found: string | undefined;
    // Walk every entry: the time taken does not depend on where (or whether) the hash matches.
    for (const c of cache) if (timingSafeEqual(c.hash, hash)) found = c.name;
    return found;
  }

  return {
    async authenticate(headers) {
      const token = presentedToken(headers);
      // Bounded length keeps hashing cheap for junk; real tokens are 49 characters.
      if (token === undefined || token.length > 512) throw unauthorized();
      const hex = hashAdminToken(token);
      const hash = Buffer.from(hex, 'hex');
      const cached = fromCache(hash);
      if (cached !== undefined) return cached;
      const found = await store.findAdminToken(hex);
      if (found === undefined) throw unauthorized();
      if (cache.length >= CACHE_MAX) cache.shift();
      cache.push({ hash, name: found.name, until: now() + CACHE_TTL_MS });
      return found.name;
    },
  };
}
