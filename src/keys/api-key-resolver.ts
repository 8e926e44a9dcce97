/**
 * The API-key lookup on the request path: presented key → stored record, or a refusal.
 *
 * 1. Keys in Keyway's format (`kw_…`) must pass their checksum: a typo or garbage is refused here, with no
 *    hashing and no store call. Keys in other formats can only be imported ones: they go on to the hash.
 * 2. HMAC-SHA-256 under the server secret, then a bounded LRU of hash → record (hit: no I/O at all).
 * 3. The membership filter (key-filter.ts): a hash no key of the store has is refused in memory. It is
 *    loaded by `start()` and kept current by every change this node hears of (its own admin API, change
 *    events, the change feed), so a key that exists is always looked up, whoever presents it.
 * 4. A bounded negative cache of hashes the store does not know (filter false positives, deleted keys).
 * 5. Only then the store, one indexed lookup by hash; concurrent misses for one hash share it.
 *
 * 0. Before all of that, the last key each connection presented: a client on a keep-alive connection sends
 *    the same key again and again, and comparing it (constant-time) with the previous one on that socket
 *    skips the checksum, the HMAC and the cache lookup (together most of key-auth's cost under the
 *    bench's profile). The memo dies with the socket (a WeakMap), and any eviction on this node (admin
 *    change, change feed, shutdown) invalidates every memo at once.
 *
 * Revocation, rotation and expiry are checked on every use from the record, and the admin API on this
 * node evicts what it changes, so they take effect on the next request. Other nodes evict from the store's
 * change feed, polled every `pollMs`. `last_used_at` is collected in memory and written in batches, never
 * awaited by a request.
 */
import { timingSafeEqual } from 'node:crypto';
import { sameSecret } from '../core/constant-time.js';
import { LruCache, NegativeCache } from './key-cache.js';
import { KeyChangeFeed, type ChangeFeedSource } from './key-change-feed.js';
import { KeyFilter, loadKeyHashes, type KeyHashSource } from './key-filter.js';
import { MAX_KEY_LENGTH, checkKey, isKeywayFormat } from './key-format.js';
import type { KeyHasher } from './key-secret.js';
import type { StoredApiKey } from '../store/types.js';
import type { ApiKeyAnswer, ApiKeyLookup, ApiKeyRefusal } from '../pipeline/services.js';

/** What the resolver needs from the store (the `Store` has it; tests count the calls). */
export interface ApiKeySource extends ChangeFeedSource, KeyHashSource {
  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined>;
  touchApiKeysLastUsed(uses: ReadonlyArray<{ id: string; at: string }>): Promise<void>;
}

const TOUCH_BATCH = 500;
/**
 * The filter is rebuilt from the store once it has heard of as many changes as it held keys when built
 * (and at least this many): a full scan per that many changes is a constant cost per change, and it sheds
 * the fingerprints of keys deleted meanwhile (with their app), which only ever cost a lookup.
 */
const MIN_CHANGES_BEFORE_REBUILD = 100_000;

/** A decided lookup, with the stored record (`ApiKeyAnswer`'s refusals say why a key was not accepted). */
export interface KeyAnswer extends ApiKeyAnswer {
  readonly record: StoredApiKey | undefined;
  readonly refused: StoredApiKey | undefined;
}

const MALFORMED: KeyAnswer = Object.freeze({
  done: true,
  record: undefined,
  refusal: 'malformed',
  refused: undefined,
});
const UNKNOWN: KeyAnswer = Object.freeze({
  done: true,
  record: undefined,
  refusal: 'unknown',
  refused: undefined,
});

export interface ResolverOptions {
  /** Most key records held in memory (default 100,000, about 40 MB). */
  cacheSize?: number;
  /** Most unknown hashes remembered (default 100,000). */
  negativeCacheSize?: number;
  /** How long an unknown hash stays unknown without asking the store again (default 2 s). */
  negativeTtlMs?: number;
  /** How often `last_used_at` is written, and the change feed polled (default 1 s). */
  pollMs?: number;
  /** `last_used_at` precision: a key's use is written at most once per this interval (default 60 s). */
  touchEveryMs?: number;
  now?: () => number;
  /** Told about failures of the background work (the request path never sees them). */
  onBackgroundError?: (what: string, err: unknown) => void;
}

/** A record as the resolver keeps it: times parsed once, not on every request. */
export interface ResolvedKey {
  record: StoredApiKey;
  hash: Buffer;
  expiresAt: number | undefined;
  graceUntil: number | undefined;
  /** When this node last queued a `last_used_at` write for the key. */
  touchedAt: number;
  /** The answer for a use of this key while it is usable: made once, so a hit allocates nothing. */
  accepted: KeyAnswer;
}

/** What one connection presented last, and what it resolved to while `generation` was current. */
interface ConnectionMemo {
  presented: string;
  entry: ResolvedKey;
  generation: number;
}

export interface ResolverStats {
  cached: number;
  negative: number;
  checksumRejects: number;
  /** Keys refused by the membership filter (no store lookup). */
  filterRejects: number;
  storeLookups: number;
  /** Fingerprints in the membership filter and its memory; 0 before `start()`. */
  filterKeys: number;
  filterBytes: number;
}

export class ApiKeyResolver implements ApiKeyLookup {
  readonly #source: ApiKeySource;
  readonly #hasher: KeyHasher;
  readonly #cache: LruCache<string, ResolvedKey>;
  readonly #negative: NegativeCache;
  readonly #byConnection = new WeakMap<object, ConnectionMemo>();
  /** Bumped by every eviction: a connection memo from an older generation is not trusted. */
  #generation = 0;
  readonly #inflight = new Map<string, Promise<ResolvedKey | undefined>>();
  readonly #touched = new Map<string, number>();
  readonly #now: () => number;
  readonly #onError: (what: string, err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  readonly #feed: KeyChangeFeed;
  /** Absent until `start()` loaded it: then every key is looked up (test doubles run that way). */
  #filter: KeyFilter | undefined;
  /** A filter being loaded from the store: every change heard meanwhile goes into both. */
  #building: KeyFilter | undefined;
  #loading: Promise<void> | undefined;
  #changesSinceBuild = 0;
  #builtWith = 0;
  #checksumRejects = 0;
  #filterRejects = 0;
  #storeLookups = 0;
  #closed = false;
  readonly #touchEveryMs: number;

  constructor(source: ApiKeySource, hasher: KeyHasher, opts: ResolverOptions = {}) {
    this.#source = source;
    this.#hasher = hasher;
    this.#cache = new LruCache(opts.cacheSize ?? 100_000);
    this.#negative = new NegativeCache(opts.negativeCacheSize ?? 100_000, opts.negativeTtlMs ?? 2_000);
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onBackgroundError ?? (() => undefined);
    this.#touchEveryMs = opts.touchEveryMs ?? 60_000;
    this.#feed = new KeyChangeFeed(source, { now: this.#now });
    const pollMs = opts.pollMs ?? 1_000;
    if (pollMs > 0) {
      this.#timer = setInterval(() => void this.flush(), pollMs);
      this.#timer.unref();
    }
  }

  get stats(): ResolverStats {
    return {
      cached: this.#cache.size,
      negative: this.#negative.size,
      checksumRejects: this.#checksumRejects,
      filterRejects: this.#filterRejects,
      storeLookups: this.#storeLookups,
      filterKeys: this.#filter?.size ?? 0,
      filterBytes: this.#filter?.bytes ?? 0,
    };
  }

  /**
   * Loads the membership filter: the change feed's end first, then every key hash of the store, so a
   * key created while the hashes are read is in the scan or in the feed after that end (or in a change
   * event, which lands in the filter being loaded too). Until this resolves every key is looked up; a
   * node awaits it before it serves. Rejects when the store cannot be read.
   */
  start(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    await this.#feed.start();
    const filter = new KeyFilter(this.#filter?.size ?? 0);
    this.#building = filter;
    try {
      await loadKeyHashes(this.#source, filter);
    } finally {
      this.#building = undefined;
    }
    this.#filter = filter;
    this.#builtWith = filter.size;
    this.#changesSinceBuild = 0;
  }

  hash(key: string): string {
    return this.#hasher.hash(key);
  }

  /**
   * The usable record for a presented key, or undefined for every kind of "no" (malformed, unknown,
   * revoked, expired, past its rotation grace): callers answer all of them the same way.
   * Rejects only when the store cannot be asked.
   */
  async resolve(presented: string): Promise<StoredApiKey | undefined> {
    const quick = this.resolveCached(presented);
    if (quick.done) return quick.record;
    return (await this.resolveHash(quick.hash)).record;
  }

  /**
   * The synchronous part of `resolve`: everything that needs no store (checksum, HMAC, caches). Most
   * requests end here, and key-auth then answers without a promise; `done: false` hands over the hash
   * so the store lookup does not compute the HMAC twice. `connection` (the request's socket) enables the
   * per-connection memo (point 5 above).
   */
  resolveCached(presented: string, connection?: object): KeyAnswer | { done: false; hash: string } {
    if (presented.length === 0 || presented.length > MAX_KEY_LENGTH) return MALFORMED;
    const now = this.#now();
    if (connection !== undefined) {
      const memo = this.#byConnection.get(connection);
      if (memo !== undefined && memo.generation === this.#generation && sameSecret(memo.presented, presented))
        return this.#use(memo.entry, now);
    }
    if (isKeywayFormat(presented) && checkKey(presented) === undefined) {
      this.#checksumRejects++;
      return MALFORMED;
    }
    const hex = this.#hasher.hash(presented);
    const entry = this.#cache.get(hex);
    if (entry === undefined) {
      if (this.#filter !== undefined && !this.#filter.has(hex)) {
        this.#filterRejects++;
        return UNKNOWN;
      }
      return this.#negative.has(hex, now) ? UNKNOWN : { done: false, hash: hex };
    }
    const answer = this.#accept(entry, hex, now);
    if (answer.record !== undefined && connection !== undefined)
      this.#byConnection.set(connection, { presented, entry, generation: this.#generation });
    return answer;
  }

  /** Resolves a hash `resolveCached` could not answer, from the store. */
  async resolveHash(hex: string): Promise<KeyAnswer> {
    const entry = await this.#lookup(hex);
    return entry === undefined ? UNKNOWN : this.#accept(entry, hex, this.#now());
  }

  #accept(entry: ResolvedKey, hex: string, now: number): KeyAnswer {
    // The cache is keyed by this very hash, so this compare cannot fail by itself; it is here so that no
    // code path ever decides on a secret-derived value with an early-exit `===`.
    if (!timingSafeEqual(entry.hash, Buffer.from(hex, 'hex'))) return UNKNOWN;
    return this.#use(entry, now);
  }

  /** The answer for an entry already matched to the presented key, at `now`. */
  #use(entry: ResolvedKey, now: number): KeyAnswer {
    const refusal = refusalOf(entry, now);
    if (refusal !== undefined) return { done: true, record: undefined, refusal, refused: entry.record };
    if (now - entry.touchedAt >= this.#touchEveryMs) {
      entry.touchedAt = now;
      this.#touched.set(entry.record.id, now);
    }
    return entry.accepted;
  }

  /**
   * A key (by hash) changed in the store — created, imported, rotated, revoked — on this node or another:
   * forget what this node cached of it (the next use reads the store), and let the filter know it exists.
   */
  evict(hash: string): void {
    this.#generation++;
    this.#cache.delete(hash);
    this.#negative.delete(hash);
    this.#filter?.add(hash);
    this.#building?.add(hash);
    this.#changesSinceBuild++;
  }

  /** Writes pending `last_used_at` values and applies the change feed. Never throws. */
  async flush(): Promise<void> {
    if (this.#touched.size > 0) {
      // At most TOUCH_BATCH rows per tick: with SQLite the write runs on this thread, and 10,000 updates
      // at once stalled requests for ~100 ms (measured with bench/keys-scale.mjs); the rest waits a tick.
      const uses: Array<{ id: string; at: string }> = [];
      for (const [id, at] of this.#touched) {
        if (uses.length >= TOUCH_BATCH) break;
        uses.push({ id, at: new Date(at).toISOString() });
      }
      for (const u of uses) this.#touched.delete(u.id);
      await this.#source
        .touchApiKeysLastUsed(uses)
        .catch((err: unknown) => this.#onError('last_used_at', err));
    }
    try {
      for (const h of await this.#feed.next()) this.evict(h);
    } catch (err) {
      this.#onError('change feed', err);
    }
    if (
      !this.#closed &&
      this.#filter !== undefined &&
      this.#loading === undefined &&
      this.#changesSinceBuild >= Math.max(this.#builtWith, MIN_CHANGES_BEFORE_REBUILD)
    ) {
      // In the background: the current filter serves until the new one is complete.
      this.start().catch((err: unknown) => {
        if (!this.#closed) this.#onError('key filter rebuild', err);
      });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    while (this.#touched.size > 0) await this.flush();
    this.#generation++;
    this.#cache.clear();
    this.#negative.clear();
  }

  #lookup(hex: string): Promise<ResolvedKey | undefined> {
    let pending = this.#inflight.get(hex);
    if (pending === undefined) {
      this.#storeLookups++;
      pending = this.#source.findApiKeyByHash(hex).then(
        (record) => {
          this.#inflight.delete(hex);
          if (record === undefined) {
            this.#negative.add(hex, this.#now());
            return undefined;
          }
          const entry = toEntry(record);
          this.#cache.set(hex, entry);
          return entry;
        },
        (err: unknown) => {
          this.#inflight.delete(hex);
          throw err;
        },
      );
      this.#inflight.set(hex, pending);
    }
    return pending;
  }
}

function toEntry(record: StoredApiKey): ResolvedKey {
  return {
    record,
    hash: Buffer.from(record.hash, 'hex'),
    expiresAt: record.expires_at === undefined ? undefined : Date.parse(record.expires_at),
    graceUntil: record.grace_until === undefined ? undefined : Date.parse(record.grace_until),
    touchedAt: record.last_used_at === undefined ? 0 : Date.parse(record.last_used_at),
    accepted: Object.freeze({ done: true, record, refusal: undefined, refused: undefined }),
  };
}

/** Why the key may not be used at `now`, or undefined when it may. */
function refusalOf(entry: ResolvedKey, now: number): ApiKeyRefusal | undefined {
  if (entry.record.status !== 'active') return 'revoked';
  if (entry.expiresAt !== undefined && entry.expiresAt <= now) return 'expired';
  if (entry.graceUntil !== undefined && entry.graceUntil <= now) return 'rotated';
  return undefined;
}
