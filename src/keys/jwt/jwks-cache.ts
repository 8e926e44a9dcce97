/**
 * Remote JWKS (RFC 7517 §5) cached per URL, one cache per node (PluginServices.jwks).
 *
 * Node-wide on purpose: plugin instances are rebuilt on every configuration change, and a cache per
 * instance would refetch every issuer's keys on each admin edit. Per node, not per process: two nodes in
 * one process (tests) keep their own. Refetches happen when the set is
 * older than `maxAgeMs`, and when a token names a `kid` we do not know: the issuer rotated its keys
 * (RFC 8725 §3.9 leaves rotation to the issuer), and the token must not wait for the set's age. Such a
 * refetch is single-flight (tokens arriving meanwhile share it) and happens at most once per
 * `kidRefetchMs` per URL (1 s by default): a token signed with a newly published key is refused for at
 * most that long, and a stream of tokens with invented `kid`s makes at most one request a second to the
 * IdP, not one per token.
 *
 * When a fetch fails the previous set keeps serving (stale-if-error), and no new attempt is made for
 * `cooldownMs` (a down IdP is not hammered); only when no set was ever fetched, or a token's `kid` could
 * only be decided by the set out of reach, does the caller get `JwksUnavailable` (→ 503, never a pass).
 */
import { publishFetch } from '../auth-events.js';
import { fetchJson, HttpJsonError } from './http-json.js';
import { KeyRing } from './key-ring.js';

export interface JwksOptions {
  /** After a failed fetch: no new attempt for this long. */
  cooldownMs: number;
  maxAgeMs: number;
  timeoutMs: number;
  /** Least time between two fetches caused by unknown `kid`s, per URL. */
  kidRefetchMs: number;
  /** The clock of the intervals above (tests inject one); Date.now by default. */
  now?: () => number;
}

export class JwksUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`key set unavailable: ${reason}`);
    this.name = 'JwksUnavailable';
  }
}

interface Entry {
  ring: KeyRing | undefined;
  fetchedAt: number;
  /** Start of the last fetch attempt, successful or not: the intervals run from here. */
  attemptedAt: number;
  inflight: Promise<KeyRing | undefined> | undefined;
  /** Whether the last attempt succeeded. */
  lastOk: boolean;
}

/** A JWKS larger than this is refused: real sets are a few KiB. */
const MAX_JWKS_BYTES = 256 * 1024;

export class JwksCache {
  readonly #entries = new Map<string, Entry>();

  /** The current key set for `url`, fetching it if absent or too old. */
  get(url: string, opts: JwksOptions): Promise<KeyRing> {
    return getJwks(this.#entry(url), url, opts);
  }

  /** See refreshForUnknownKid below. */
  refreshForUnknownKid(url: string, opts: JwksOptions): Promise<KeyRing> {
    return refreshForUnknownKid(this.#entry(url), url, opts);
  }

  /** Forgets every cached set (tests; an operator-triggered flush). */
  clear(): void {
    this.#entries.clear();
  }

  #entry(url: string): Entry {
    let e = this.#entries.get(url);
    if (e === undefined) {
      e = { ring: undefined, fetchedAt: 0, attemptedAt: 0, inflight: undefined, lastOk: false };
      this.#entries.set(url, e);
    }
    return e;
  }
}

async function getJwks(e: Entry, url: string, opts: JwksOptions): Promise<KeyRing> {
  const now = (opts.now ?? Date.now)();
  if (e.ring !== undefined) {
    if (now - e.fetchedAt > opts.maxAgeMs && now - e.attemptedAt >= opts.cooldownMs) {
      // Stale: refresh, but keep serving the old set if the IdP is down.
      return (await refresh(url, e, opts)) ?? e.ring;
    }
    return e.ring;
  }
  if (e.inflight === undefined && now - e.attemptedAt < opts.cooldownMs)
    throw new JwksUnavailable('previous fetch failed; in cooldown');
  const ring = await refresh(url, e, opts);
  if (ring === undefined) throw new JwksUnavailable('fetch failed');
  return ring;
}

/**
 * Called when a token's `kid` is not in the set: refetches unless a fetch started less than
 * `kidRefetchMs` ago (then joins it if it is still running), and returns the set to decide with (maybe
 * unchanged: then the token is refused). When the IdP cannot be reached no cached key can decide an
 * unknown `kid` — the key may well exist there — so that is `JwksUnavailable` (503).
 */
async function refreshForUnknownKid(e: Entry, url: string, opts: JwksOptions): Promise<KeyRing> {
  if (e.inflight === undefined) {
    const since = (opts.now ?? Date.now)() - e.attemptedAt;
    if (!e.lastOk && since < opts.cooldownMs) throw new JwksUnavailable('in cooldown after a failed fetch');
    if (e.lastOk && e.ring !== undefined && since < opts.kidRefetchMs) return e.ring;
  }
  const ring = await refresh(url, e, opts);
  if (ring !== undefined) return ring;
  throw new JwksUnavailable('fetch failed');
}

/** One fetch per URL at a time: concurrent callers share it. Resolves undefined on failure. */
function refresh(url: string, e: Entry, opts: JwksOptions): Promise<KeyRing | undefined> {
  if (e.inflight !== undefined) return e.inflight;
  const now = opts.now ?? Date.now;
  e.attemptedAt = now();
  e.inflight = (async () => {
    try {
      const ring = KeyRing.fromJwks(
        await fetchJson(url, { timeoutMs: opts.timeoutMs, maxBytes: MAX_JWKS_BYTES }),
      );
      e.ring = ring;
      e.fetchedAt = now();
      e.lastOk = true;
      publishFetch({ kind: 'jwks', url, ok: true, detail: `${ring.size} keys` });
      return ring;
    } catch (err) {
      const detail = err instanceof HttpJsonError ? err.reason : 'invalid key set';
      e.lastOk = false;
      publishFetch({ kind: 'jwks', url, ok: false, detail });
      return undefined;
    } finally {
      e.inflight = undefined;
    }
  })();
  return e.inflight;
}
