/**
 * Admin authentication: `Authorization: Bearer <token>` or `Keyway-Admin-Token: <token>`.
 *
 * Tokens are looked up by their SHA-256 hash, so the store never holds one in clear. Recently verified
 * hashes are kept for a few seconds so a burst of admin calls (a CLI apply, the console) does not cost a
 * store round trip each; that cache is compared with `timingSafeEqual` so it leaks nothing through timing.
 * Failed lookups are not cached: an attacker could otherwise fill memory with them.
 *
 * While the store is unreachable, a token this node verified within the last hour is still taken, so an
 * operator can read `/status` and `/metrics` during the outage (every call that needs the store answers
 * 503 KW_ERR_STORE_UNAVAILABLE anyway). Admin tokens cannot be revoked through the API, and no change can
 * be made to the store while it is away, so remembering one for an hour opens nothing new. A token the
 * node cannot check gets 503 KW_ERR_STORE_UNAVAILABLE, not 401: it may well be valid.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KeywayError, isKeywayError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { hashAdminToken } from './admin-token.js';

const CACHE_TTL_MS = 10_000;
/** How long a verified token is remembered for the store's outages. */
const REMEMBER_MS = 3_600_000;
/**
 * A remembered token waits this long for the store before it is taken: a black-holed store would
 * otherwise hold every admin call for the whole store deadline first.
 */
const REMEMBERED_WAIT_MS = 1_000;
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
  /** Verified against the store at this time. */
  at: number;
}

export interface AdminAuthenticator {
  /** The token's name (the audit actor); throws KW_ERR_UNAUTHORIZED, or KW_ERR_STORE_UNAVAILABLE. */
  authenticate(headers: IncomingHttpHeaders): Promise<string>;
  /**
   * Checks a token against the store now and remembers it when valid (the node's own token file at
   * start, so `/status` answers through an outage that begins before anyone called the admin API).
   */
  verify(token: string): Promise<boolean>;
}

export function createAuthenticator(store: Store, now: () => number = Date.now): AdminAuthenticator {
  let cache: CachedToken[] = [];

  function find(hash: Buffer): CachedToken | undefined {
    const t = now();
    cache = cache.filter((c) => c.at + REMEMBER_MS > t);
    let found: CachedToken | undefined;
    // Walk every entry: the time taken does not depend on where (or whether) the hash matches.
    for (const c of cache) if (timingSafeEqual(c.hash, hash)) found = c;
    return found;
  }

  function remember(hash: Buffer, name: string): void {
    cache = cache.filter((c) => !timingSafeEqual(c.hash, hash));
    if (cache.length >= CACHE_MAX) cache.shift();
    cache.push({ hash, name, at: now() });
  }

  function forget(hash: Buffer): void {
    cache = cache.filter((c) => !timingSafeEqual(c.hash, hash));
  }

  /** Asks the store; remembers or forgets the token by its answer. */
  async function lookup(hex: string, hash: Buffer): Promise<string | undefined> {
    const found = await store.findAdminToken(hex);
    if (found === undefined) forget(hash);
    else remember(hash, found.name);
    return found?.name;
  }

  return {
    async authenticate(headers) {
      const token = presentedToken(headers);
      // Bounded length keeps hashing cheap for junk; real tokens are 49 characters.
      if (token === undefined || token.length > 512) throw unauthorized();
      const hex = hashAdminToken(token);
      const hash = Buffer.from(hex, 'hex');
      const known = find(hash);
      if (known !== undefined && known.at + CACHE_TTL_MS > now()) return known.name;
      const asked = lookup(hex, hash);
      if (known === undefined) {
        const name = await asked;
        if (name === undefined) throw unauthorized();
        return name;
      }
      // Remembered but due for a check: the store's answer wins; an unreachable or silent store leaves
      // the remembered name standing.
      asked.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<'silent'>((resolve) => {
        timer = setTimeout(() => resolve('silent'), REMEMBERED_WAIT_MS);
      });
      try {
        const name = await Promise.race([asked, silent]);
        if (name === 'silent') return known.name;
        if (name === undefined) throw unauthorized();
        return name;
      } catch (err) {
        if (isKeywayError(err) && err.code === 'KW_ERR_STORE_UNAVAILABLE') return known.name;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    async verify(token) {
      const hex = hashAdminToken(token);
      return (await lookup(hex, Buffer.from(hex, 'hex'))) !== undefined;
    },
  };
}
