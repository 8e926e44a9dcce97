/**
 * Bounded caches for the key resolver. A `Map` keeps insertion order, so moving an entry to the end on
 * each hit and evicting from the front is an LRU in O(1) per operation with no extra nodes: memory is the
 * map's entries only, and lookup cost does not depend on how many keys the store holds.
 */

export class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}

/**
 * Remembers keys that are not in the store, for `ttlMs`: a client retrying a wrong key (or a scanner
 * spraying made-up ones that happen to pass the checksum) costs one store lookup per TTL, not one per
 * request. Bounded like the LRU; expired entries are dropped when met.
 */
export class NegativeCache {
  readonly #lru: LruCache<string, number>;
  readonly #ttlMs: number;

  constructor(max: number, ttlMs: number) {
    this.#lru = new LruCache(max);
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#lru.size;
  }

  has(key: string, now: number): boolean {
    const until = this.#lru.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#lru.delete(key);
    return false;
  }

  add(key: string, now: number): void {
    if (this.#ttlMs > 0) this.#lru.set(key, now + this.#ttlMs);
  }

  delete(key: string): void {
    this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
  }
}
