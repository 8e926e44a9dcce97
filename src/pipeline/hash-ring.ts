/**
 * A consistent-hash ring (Karger et al.; the ketama layout memcached clients and nginx's `hash … consistent`
 * use): each target owns points on a 32-bit ring, 160 per 100 of weight, placed by hashing
 * `address#i`, so a target's points depend on nothing but itself. A key goes to the first point clockwise
 * of its hash; when a target leaves, only the keys on its points move (1/N of them, for N equal targets),
 * and a target that is skipped (unhealthy) hands its keys to the next point's owner the same way.
 *
 * Written here rather than taken from a package: the lookup runs on every request of a hashing upstream,
 * and this one is a hash of the key and a binary search over a typed array, without allocation.
 */
const POINTS_PER_100 = 160;
/** Bound on the ring's size (about 1.6 MB): beyond it every target's points are scaled down alike. */
const MAX_POINTS = 200_000;

export class HashRing {
  private readonly points: Uint32Array;
  /** The target index owning each point. */
  private readonly owners: Uint16Array;

  constructor(targets: ReadonlyArray<{ address: string; weight: number }>) {
    const wanted = targets.map((t) => Math.max(1, Math.round((t.weight * POINTS_PER_100) / 100)));
    const sum = wanted.reduce((a, b) => a + b, 0);
    const scale = sum > MAX_POINTS ? MAX_POINTS / sum : 1;
    const all: Array<[number, number]> = [];
    targets.forEach((t, index) => {
      const n = Math.max(1, Math.floor((wanted[index] ?? 1) * scale));
      for (let i = 0; i < n; i++) all.push([hash32(`${t.address}#${i}`), index]);
    });
    // Ties (two points on one spot) are broken by target address order, the same on every node.
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(all, (p) => p[0]);
    this.owners = Uint16Array.from(all, (p) => p[1]);
  }

  get size(): number {
    return this.points.length;
  }

  /**
   * The first target clockwise of `key` that `usable` accepts, or -1. Each point is looked at once at
   * most: a ring whose targets are all refused costs one pass.
   */
  lookup(key: string, usable: (index: number) => boolean): number {
    const points = this.points;
    const n = points.length;
    if (n === 0) return -1;
    const h = hash32(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    let last = -1;
    for (let i = 0; i < n; i++) {
      const owner = this.owners[(lo + i) % n];
      if (owner === last) continue;
      if (usable(owner)) return owner;
      last = owner;
    }
    return -1;
  }
}

/**
 * MurmurHash3's 32-bit mixing, one UTF-16 code unit per round (not byte-compatible with MurmurHash3):
 * fast on short strings, and well spread for ring points.
 */
export function hash32(s: string): number {
  let h = 0x9747b28c;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
