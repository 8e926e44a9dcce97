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
 * 503 KW_ERR_STORE_UNAVAILABLE anyway). A token is revoked in the store, and no change can be made to the
 * store while it is away, so remembering one for an hour opens nothing new. A token the node cannot
 * check gets 503 KW_ERR_STORE_UNAVAILABLE, not 401: it may well be valid.
 *
 * What a token authenticates is a `Principal`: the bootstrap token is a super admin on every workspace
 * (as it always was); a user's token carries the user's grants. Expiry is checked on the node's clock at
 * every call, cached or not. A revocation on this node takes effect at once (`forget`); on another node
 * within the cache's 10 seconds.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KeywayError, isKeywayError } from '../core/errors.js';
import type { AdminTokenMatch, Store } from '../store/types.js';
import { hashAdminToken } from './admin-token.js';
import { ALL_WORKSPACES, isAdminRole, type Grant } from './permissions.js';

/** Who is calling: what the audit log names and what the permission checks read. */
export interface Principal {
  /** The audit actor: the bootstrap token's name, or `user (token id)`. */
  name: string;
  /** The admin user; absent for the bootstrap token. */
  user?: string;
  tokenId: string;
  grants: readonly Grant[];
  /** When the token stops working (ms since the epoch), if ever. */
  expiresAt?: number;
}

/** The principal a stored token stands for, or undefined when it is revoked. */
export function principalOf(match: AdminTokenMatch): Principal | undefined {
  if (match.revoked_at !== undefined) return undefined;
  const p: Principal =
    match.user === undefined
      ? { name: match.name, tokenId: match.id, grants: [{ workspace: ALL_WORKSPACES, role: 'super_admin' }] }
      : {
          name: `${match.user.name} (token ${match.id})`,
          user: match.user.name,
          tokenId: match.id,
          // A role the table does not know (written by a newer version) grants nothing.
          grants: match.user.grants.flatMap((g) =>
            isAdminRole(g.role) ? [{ workspace: g.workspace, role: g.role }] : [],
          ),
        };
  if (match.expires_at !== undefined) p.expiresAt = Date.parse(match.expires_at);
  return p;
}

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
  principal: Principal;
  /** Verified against the store at this time. */
  at: number;
}

export interface AdminAuthenticator {
  /** Who the token stands for; throws KW_ERR_UNAUTHORIZED, or KW_ERR_STORE_UNAVAILABLE. */
  authenticate(headers: IncomingHttpHeaders): Promise<Principal>;
  /** Drops what this node remembers of these tokens (revoked, or their user deleted or changed). */
  forget(match: (p: Principal) => boolean): void;
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

  function remember(hash: Buffer, principal: Principal): void {
    cache = cache.filter((c) => !timingSafeEqual(c.hash, hash));
    if (cache.length >= CACHE_MAX) cache.shift();
    cache.push({ hash, principal, at: now() });
  }

  /** An expired token is no token, remembered or not. */
  function current(p: Principal | undefined): Principal | undefined {
    return p !== undefined && (p.expiresAt === undefined || p.expiresAt > now()) ? p : undefined;
  }

  function forget(hash: Buffer): void {
    cache = cache.filter((c) => !timingSafeEqual(c.hash, hash));
  }

  /** Asks the store; remembers or forgets the token by its answer. */
  async function lookup(hex: string, hash: Buffer): Promise<Principal | undefined> {
    const match = await store.admins.findToken(hex);
    const found = match === undefined ? undefined : current(principalOf(match));
    if (found === undefined) forget(hash);
    else remember(hash, found);
    return found;
  }

  return {
    async authenticate(headers) {
      const token = presentedToken(headers);
      // Bounded length keeps hashing cheap for junk; real tokens are 49 characters.
      if (token === undefined || token.length > 512) throw unauthorized();
      const hex = hashAdminToken(token);
      const hash = Buffer.from(hex, 'hex');
      const known = find(hash);
      if (known !== undefined && current(known.principal) === undefined) throw unauthorized();
      if (known !== undefined && known.at + CACHE_TTL_MS > now()) return known.principal;
      const asked = lookup(hex, hash);
      if (known === undefined) {
        const found = await asked;
        if (found === undefined) throw unauthorized();
        return found;
      }
      // Remembered but due for a check: the store's answer wins; an unreachable or silent store leaves
      // the remembered name standing.
      asked.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<'silent'>((resolve) => {
        timer = setTimeout(() => resolve('silent'), REMEMBERED_WAIT_MS);
      });
      try {
        const found = await Promise.race([asked, silent]);
        if (found === 'silent') return known.principal;
        if (found === undefined) throw unauthorized();
        return found;
      } catch (err) {
        if (isKeywayError(err) && err.code === 'KW_ERR_STORE_UNAVAILABLE') return known.principal;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    forget(match) {
      cache = cache.filter((c) => !match(c.principal));
    },
    async verify(token) {
      const hex = hashAdminToken(token);
      return (await lookup(hex, Buffer.from(hex, 'hex'))) !== undefined;
    },
  };
}
