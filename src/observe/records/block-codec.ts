/**
 * A packed batch as the bytes of one stored block (the store keeps call records in blocks: store/
 * record-tables.ts). The arrays go in as they are — no per-record encoding on the way in, one copy on the
 * way out:
 *
 *   u8 version (1) · u8 numeric, word and text column counts · u8 text encoding (0 Latin-1, 1 UTF-16LE)
 *   · 3 bytes zero · u32 count · u32 dict bytes · u32 text code units
 *   · f64 × count × numeric · i32 × count × word · i32 × count × text · dict (JSON array, UTF-8)
 *   · text (one byte a code unit when every one is below 256, as request ids, addresses and paths are;
 *     else two)
 *
 * All little-endian. The column counts make the format open to columns added at the end of each group:
 * a block written before a column existed reads it as null (a block with more columns than this version
 * knows is refused: its text could not be cut).
 */
import { PACKED_NUMBERS, PACKED_TEXTS, PACKED_WORDS, type PackedBatch } from './packed-batch.js';

const VERSION = 1;
const HEADER = 20;
const LATIN1 = 0;
const UTF16 = 1;

/**
 * Memory an encoder may write blocks into again and again (the SQLite sink: its insert copies the bytes
 * before the next block is encoded), instead of a new half-megabyte buffer per block for the collector to
 * free.
 */
export class BlockScratch {
  out: Buffer = Buffer.allocUnsafe(0);
  narrow: Buffer = Buffer.allocUnsafe(0);
}

function room(have: Buffer, need: number): Buffer {
  return have.length >= need ? have : Buffer.allocUnsafe(Math.max(need, have.length * 2));
}

/** The block's bytes; with `scratch`, a view into its memory that the next encode overwrites. */
export function encodeBlock(b: PackedBatch, scratch?: BlockScratch): Buffer {
  const n = b.count;
  const numBytes = n * PACKED_NUMBERS.length * 8;
  const refBytes = n * PACKED_WORDS.length * 4;
  const lenBytes = n * PACKED_TEXTS.length * 4;
  const dict = Buffer.from(JSON.stringify(b.dict), 'utf8');
  const units = b.chars.subarray(0, b.textLength);
  // Narrowed to one byte a unit while checking that none needs two (a loop: TypedArray#set between
  // element types measured slower).
  const narrow =
    scratch === undefined
      ? Buffer.allocUnsafe(units.length)
      : (scratch.narrow = room(scratch.narrow, units.length));
  let any = 0;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] ?? 0;
    any |= u;
    narrow[i] = u;
  }
  const wide = any > 0xff;
  const textBytes = units.length * (wide ? 2 : 1);
  const size = HEADER + numBytes + refBytes + lenBytes + dict.length + textBytes;
  const out =
    scratch === undefined
      ? Buffer.allocUnsafe(size)
      : (scratch.out = room(scratch.out, size)).subarray(0, size);
  out.fill(0, 0, HEADER);
  out.writeUInt8(VERSION, 0);
  out.writeUInt8(PACKED_NUMBERS.length, 1);
  out.writeUInt8(PACKED_WORDS.length, 2);
  out.writeUInt8(PACKED_TEXTS.length, 3);
  out.writeUInt8(wide ? UTF16 : LATIN1, 4);
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(dict.length, 12);
  out.writeUInt32LE(units.length, 16);
  let at = HEADER;
  // The typed arrays are this machine's byte order: little-endian on every platform Node runs Keyway on.
  out.set(new Uint8Array(b.nums.buffer, b.nums.byteOffset, numBytes), at);
  at += numBytes;
  out.set(new Uint8Array(b.refs.buffer, b.refs.byteOffset, refBytes), at);
  at += refBytes;
  out.set(new Uint8Array(b.lens.buffer, b.lens.byteOffset, lenBytes), at);
  at += lenBytes;
  dict.copy(out, at);
  at += dict.length;
  out.set(
    wide ? new Uint8Array(units.buffer, units.byteOffset, textBytes) : narrow.subarray(0, units.length),
    at,
  );
  return out;
}

export function decodeBlock(buf: Uint8Array): PackedBatch {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < HEADER || bytes.readUInt8(0) !== VERSION) throw new Error('not a call record block');
  const [numCols, wordCols, textCols] = [bytes.readUInt8(1), bytes.readUInt8(2), bytes.readUInt8(3)];
  if (numCols > PACKED_NUMBERS.length || wordCols > PACKED_WORDS.length || textCols > PACKED_TEXTS.length)
    throw new Error('call record block written by a newer Keyway');
  const wide = bytes.readUInt8(4) === UTF16;
  const n = bytes.readUInt32LE(8);
  const dictBytes = bytes.readUInt32LE(12);
  const textLength = bytes.readUInt32LE(16);
  let at = HEADER;
  // Copied into fresh arrays: the stored bytes need not be aligned for a typed-array view.
  const nums = columns(new Float64Array(n * numCols), bytes, at, n, numCols, PACKED_NUMBERS.length, NaN);
  at += n * numCols * 8;
  const refs = columns(new Int32Array(n * wordCols), bytes, at, n, wordCols, PACKED_WORDS.length, -1);
  at += n * wordCols * 4;
  const lens = columns(new Int32Array(n * textCols), bytes, at, n, textCols, PACKED_TEXTS.length, -1);
  at += n * textCols * 4;
  const dict = JSON.parse(bytes.toString('utf8', at, at + dictBytes)) as string[];
  at += dictBytes;
  const chars = new Uint16Array(textLength);
  if (wide) new Uint8Array(chars.buffer).set(bytes.subarray(at, at + textLength * 2));
  else chars.set(bytes.subarray(at, at + textLength));
  return { count: n, nums, refs, lens, dict, chars, textLength };
}

/** Fills `into` from the stored bytes, then widens rows written with fewer columns than today's. */
function columns<A extends Float64Array | Int32Array>(
  into: A,
  bytes: Buffer,
  at: number,
  rows: number,
  stored: number,
  current: number,
  missing: number,
): A {
  new Uint8Array(into.buffer).set(bytes.subarray(at, at + into.byteLength));
  if (stored === current) return into;
  const wide = new (into.constructor as new (n: number) => A)(rows * current).fill(missing) as A;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < stored; c++) wide[r * current + c] = into[r * stored + c] ?? missing;
  }
  return wide;
}
