/**
 * Which request ids a stored block may hold: a Bloom filter per block (10 bits and 4 probes a record,
 * about 1% false positives), so a search by request id opens the few blocks that may hold it instead of
 * every block in its window. Hashes are FNV-1a and a second FNV variant combined by double hashing
 * (Kirsch–Mitzenmacher), over the id's UTF-16 code units — read straight from a packed batch's text, so
 * building a block's filter makes no string.
 */
const BITS_PER_ID = 10;
const PROBES = 4;

function hashes(units: Uint16Array, from: number, to: number): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = from; i < to; i++) {
    const c = units[i] ?? 0;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

/** A string's UTF-16 code units, as a packed batch holds them. */
function codeUnits(s: string): Uint16Array {
  const units = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
  return units;
}

export class BloomBuilder {
  readonly bits: Buffer;
  private readonly m: number;

  constructor(ids: number) {
    this.bits = Buffer.alloc(Math.ceil(Math.max(64, ids * BITS_PER_ID) / 8));
    this.m = this.bits.length * 8;
  }

  /** Adds the id held in `units[from..to)`. */
  add(units: Uint16Array, from: number, to: number): void {
    const [a, b] = hashes(units, from, to);
    for (let k = 0; k < PROBES; k++) {
      const bit = (a + k * b) % this.m;
      this.bits[bit >>> 3] = (this.bits[bit >>> 3] ?? 0) | (1 << (bit & 7));
    }
  }
}

export function bloomOf(ids: readonly string[]): Buffer {
  const b = new BloomBuilder(ids.length);
  for (const id of ids) b.add(codeUnits(id), 0, id.length);
  return b.bits;
}

export function mayContain(bloom: Uint8Array, id: string): boolean {
  const m = bloom.length * 8;
  if (m === 0) return false;
  const [a, b] = hashes(codeUnits(id), 0, id.length);
  for (let k = 0; k < PROBES; k++) {
    const bit = (a + k * b) % m;
    if (((bloom[bit >>> 3] ?? 0) & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}
