/**
 * The membership filter of the API-key resolver: a set of 32-bit fingerprints of every key hash in the
 * store, so that a key whose hash is not in it is refused in memory, without a store lookup, and a key
 * whose hash is in it is always looked up (docs/keys.md, "Unknown keys").
 *
 * Why not a Bloom-filter package: the members are HMAC-SHA-256 outputs, already uniformly random, so the
 * first 32 bits are a fingerprint as good as any hash function would make; Bloom libraries hash every
 * string again, and a Bloom filter cannot grow without its members, where this table doubles from the
 * fingerprints it holds (no store scan when a node's key count passes its sizing).
 *
 * Open addressing with linear probing in one Uint32Array (0 marks an empty slot), at most 70 % full:
 * 4 bytes a slot, 1,000,000 keys in 2^21 slots = 8 MiB, and a miss probes about 3 slots. A false positive
 * needs another stored key with the same 32 bits: probability ≈ keys / 2^32 (1M keys: 0.023 %), and it
 * costs one store lookup, then the resolver's negative cache. Nothing is ever removed (a revoked key is
 * still a key of the store); deleted keys leave a fingerprint behind until the resolver rebuilds the filter.
 */

const MAX_LOAD = 0.7;
const MIN_SLOTS = 1024;

export class KeyFilter {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;

  /** `expected`: how many keys it will hold soon, so that loading them does not grow it step by step. */
  constructor(expected = 0) {
    let slots = MIN_SLOTS;
    while (slots * MAX_LOAD < expected) slots *= 2;
    this.#slots = new Uint32Array(slots);
    this.#mask = slots - 1;
  }

  /** Distinct fingerprints held. */
  get size(): number {
    return this.#size;
  }

  /** Memory held by the table. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** Adds the hash (64 hex digits) of a key that exists in the store; idempotent. */
  add(hash: string): void {
    const fp = fingerprint(hash);
    const i = this.#slotOf(fp);
    if (this.#slots[i] === fp) return;
    this.#slots[i] = fp;
    this.#size++;
    if (this.#size > this.#slots.length * MAX_LOAD) this.#grow();
  }

  /** False: no key with this hash is in the store. True: there may be one (ask the store). */
  has(hash: string): boolean {
    const fp = fingerprint(hash);
    return this.#slots[this.#slotOf(fp)] === fp;
  }

  /** The slot holding `fp`, or the empty slot where linear probing from its home slot stops. */
  #slotOf(fp: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = fp & mask;
    for (;;) {
      const v = slots[i];
      if (v === fp || v === 0) return i;
      i = (i + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Uint32Array(old.length * 2);
    const mask = slots.length - 1;
    for (const fp of old) {
      if (fp === 0) continue;
      let i = fp & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = fp;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** The first 32 bits of the hash; 0 is the empty slot, so it reads as 1 (one more false positive in 2^32). */
function fingerprint(hash: string): number {
  return parseInt(hash.slice(0, 8), 16) >>> 0 || 1;
}

/** Where the filter's members come from (the store): key hashes in ascending order, a page at a time. */
export interface KeyHashSource {
  apiKeyHashesAfter(after: string, limit: number): Promise<string[]>;
}

/**
 * Adds every key hash of the store to `filter`: one indexed range scan per page (`hash > after`), so
 * no statement holds the store for long (with SQLite they run on this thread) and requests run between
 * pages.
 */
export async function loadKeyHashes(
  source: KeyHashSource,
  filter: KeyFilter,
  pageSize = 10_000,
): Promise<void> {
  let after = '';
  for (;;) {
    const page = await source.apiKeyHashesAfter(after, pageSize);
    for (const hash of page) filter.add(hash);
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return;
    after = last;
  }
}
