/**
 * A read-only map that is a base map plus a few changes, so a patched snapshot (src/snapshot/patch.ts)
 * gets a map with one entry changed without copying the thousands it shares with its predecessor: `with`
 * costs what changed. Lookups check the changes first (one extra hash probe). When the changes grow past
 * a sixteenth of the base (and 64 entries), `with` flattens both into a new base: copying stays rare,
 * about one full copy every n/16 changes.
 */
export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    /** Set or deleted (undefined) on top of `base`. */
    private readonly changes: ReadonlyMap<K, V | undefined>,
    readonly size: number,
  ) {}

  static of<K, V>(base: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return base instanceof LayeredMap
      ? (base as LayeredMap<K, V>)
      : new LayeredMap<K, V>(base, new Map<K, V | undefined>(), base.size);
  }

  /** This map with `set` set and `deleted` removed (`set` wins for a key in both). */
  with(set: Iterable<readonly [K, V]>, deleted: Iterable<K> = []): LayeredMap<K, V> {
    const changes = new Map(this.changes);
    let size = this.size;
    for (const k of deleted) {
      if (this.has(k)) size--;
      changes.set(k, undefined);
    }
    for (const [k, v] of set) {
      if (!(changes.has(k) ? changes.get(k) !== undefined : this.base.has(k))) size++;
      changes.set(k, v);
    }
    if (changes.size > 64 && changes.size * 16 > this.base.size) {
      const flat = new Map<K, V>();
      for (const [k, v] of this.base) if (!changes.has(k)) flat.set(k, v);
      for (const [k, v] of changes) if (v !== undefined) flat.set(k, v);
      return new LayeredMap<K, V>(flat, new Map<K, V | undefined>(), flat.size);
    }
    return new LayeredMap(this.base, changes, size);
  }

  get(key: K): V | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    return this.changes.has(key) ? this.changes.get(key) !== undefined : this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) if (!this.changes.has(k)) yield [k, v];
    for (const [k, v] of this.changes) if (v !== undefined) yield [k, v];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}
