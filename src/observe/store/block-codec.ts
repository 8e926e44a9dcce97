/**
 * A packed batch as the bytes of one stored block (the store keeps call records in blocks: store/
 * record-tables.ts). Column by column, each in the narrowest form that holds every value of the block
 * exactly — most columns of a block are constant or small integers (one route, statuses, byte counts,
 * dictionary ids, text lengths), so a record takes about a quarter of its packed size, and SQLite writes
 * a quarter of the pages (on the record thread, page writes were most of what storing cost):
 *
 *   u8 version (2) · u8 numeric, word and text column counts · u8 text encoding (0 Latin-1, 1 UTF-16LE)
 *   · 3 bytes zero · u32 count · u32 dict bytes · u32 text code units
 *   · per column, numeric then word then text-length: u8 form · u8 width · f64 base · count values
 *   · dict (JSON array, UTF-8) · text (one byte a code unit when every one is below 256, as request ids,
 *     addresses and paths are; else two)
 *
 * Forms: integers (0) stored as `value − base` in `width` bytes (0 = every value is `base`; the width's
 * all-ones is null); thousandths (3) the same over `value × 1000` (latencies, rounded to the microsecond
 * when recorded); float32 (1) and float64 (2) as they are. All little-endian. Version 1 blocks (every
 * column at full width) are still read. The column counts make the format open to columns added at the
 * end of each group: a block written before a column existed reads it as null (a block with more columns
 * than this version knows is refused: its text could not be cut).
 */
import { PACKED_NUMBERS, PACKED_TEXTS, PACKED_WORDS, type PackedBatch } from '../records/packed-batch.js';

const VERSION = 2;
const HEADER = 20;
const COLUMN_HEADER = 10;
const LATIN1 = 0;
const UTF16 = 1;

const INTEGERS = 0;
const FLOAT32 = 1;
const FLOAT64 = 2;
const THOUSANDTHS = 3;

/**
 * Memory an encoder may write blocks into again and again (the SQLite sink: its insert copies the bytes
 * before the next block is encoded), instead of a new buffer per block for the collector to free.
 */
export class BlockScratch {
  out: Buffer = Buffer.allocUnsafe(0);
  narrow: Buffer = Buffer.allocUnsafe(0);
}

function room(have: Buffer, need: number): Buffer {
  return have.length >= need ? have : Buffer.allocUnsafe(Math.max(need, have.length * 2));
}

/** How one column is stored: its form, width in bytes, and base. */
interface Plan {
  form: number;
  width: number;
  base: number;
}

const NULL_OF = [0, 0xff, 0xffff, 0, 0xffffffff];

/** Integers `lo..hi` (and null when `nulls`) as offsets from `lo`: the narrowest width that holds them. */
function integerPlan(form: number, lo: number, hi: number, nulls: boolean): Plan {
  if (lo > hi) return { form, width: 0, base: NaN }; // every value null
  const span = hi - lo + (nulls ? 1 : 0);
  const width = span === 0 ? 0 : span < 0xff ? 1 : span < 0xffff ? 2 : span < 0xffffffff ? 4 : 8;
  return width === 8 ? { form: FLOAT64, width: 8, base: 0 } : { form, width, base: lo };
}

/** The plan for `count` values at `values[first + row × stride]`; NaN is null. */
function planColumn(values: Float64Array | Int32Array, first: number, stride: number, count: number): Plan {
  let lo = Infinity;
  let hi = -Infinity;
  let nulls = false;
  let integers = true;
  let thousandths = true;
  let float32 = true;
  for (let i = 0, k = first; i < count; i++, k += stride) {
    const v = values[k] ?? NaN;
    if (v !== v) {
      nulls = true;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integers && !Number.isSafeInteger(v)) integers = false;
    if (!integers) {
      if (thousandths && Math.round(v * 1000) / 1000 !== v) thousandths = false;
      if (float32 && Math.fround(v) !== v) float32 = false;
    }
  }
  if (integers) return integerPlan(INTEGERS, lo, hi, nulls);
  // The values before the first fraction were integers: exact as thousandths and as float32 while small.
  const largest = Math.max(Math.abs(lo), Math.abs(hi));
  if (thousandths && largest < 2 ** 40)
    return integerPlan(THOUSANDTHS, Math.round(lo * 1000), Math.round(hi * 1000), nulls);
  return float32 && largest <= 2 ** 24
    ? { form: FLOAT32, width: 4, base: 0 }
    : { form: FLOAT64, width: 8, base: 0 };
}

/** Writes one column at `at` as `plan` says; returns where the next one starts. */
function writeColumn(
  out: Buffer,
  at: number,
  plan: Plan,
  values: Float64Array | Int32Array,
  first: number,
  stride: number,
  count: number,
): number {
  const { form, width, base } = plan;
  out.writeUInt8(form, at);
  out.writeUInt8(width, at + 1);
  out.writeDoubleLE(base, at + 2);
  at += COLUMN_HEADER;
  if (width === 0) return at;
  const nil = NULL_OF[width] ?? 0;
  const scale = form === THOUSANDTHS ? 1000 : 1;
  // One loop per form and width: the choice is made once per column, not once per value.
  if (form === FLOAT64) {
    for (let i = 0, k = first; i < count; i++, k += stride, at += 8) out.writeDoubleLE(values[k] ?? NaN, at);
  } else if (form === FLOAT32) {
    for (let i = 0, k = first; i < count; i++, k += stride, at += 4) out.writeFloatLE(values[k] ?? NaN, at);
  } else if (width === 1) {
    for (let i = 0, k = first; i < count; i++, k += stride) {
      const v = values[k] ?? NaN;
      out[at++] = v !== v ? nil : (scale === 1 ? v : Math.round(v * scale)) - base;
    }
  } else if (width === 2) {
    for (let i = 0, k = first; i < count; i++, k += stride, at += 2) {
      const v = values[k] ?? NaN;
      const n = v !== v ? nil : (scale === 1 ? v : Math.round(v * scale)) - base;
      out[at] = n & 0xff;
      out[at + 1] = n >>> 8;
    }
  } else {
    for (let i = 0, k = first; i < count; i++, k += stride, at += 4) {
      const v = values[k] ?? NaN;
      out.writeUInt32LE(v !== v ? nil : (scale === 1 ? v : Math.round(v * scale)) - base, at);
    }
  }
  return at;
}

/** The block's bytes; with `scratch`, a view into its memory that the next encode overwrites. */
export function encodeBlock(b: PackedBatch, scratch?: BlockScratch): Buffer {
  const n = b.count;
  const groups: Array<[Float64Array | Int32Array, number]> = [
    [b.nums, PACKED_NUMBERS.length],
    [b.refs, PACKED_WORDS.length],
    [b.lens, PACKED_TEXTS.length],
  ];
  const plans: Plan[] = [];
  let columnBytes = 0;
  for (const [values, stride] of groups) {
    for (let c = 0; c < stride; c++) {
      const plan = planColumn(values, c, stride, n);
      plans.push(plan);
      columnBytes += COLUMN_HEADER + plan.width * n;
    }
  }
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
  const size = HEADER + columnBytes + dict.length + textBytes;
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
  let p = 0;
  for (const [values, stride] of groups) {
    for (let c = 0; c < stride; c++) at = writeColumn(out, at, plans[p++], values, c, stride, n);
  }
  dict.copy(out, at);
  at += dict.length;
  // The text units are this machine's byte order: little-endian on every platform Node runs Keyway on.
  out.set(
    wide ? new Uint8Array(units.buffer, units.byteOffset, textBytes) : narrow.subarray(0, units.length),
    at,
  );
  return out;
}

export function decodeBlock(buf: Uint8Array): PackedBatch {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = bytes.length < HEADER ? 0 : bytes.readUInt8(0);
  if (version !== 1 && version !== VERSION) throw new Error('not a call record block');
  const [numCols, wordCols, textCols] = [bytes.readUInt8(1), bytes.readUInt8(2), bytes.readUInt8(3)];
  if (numCols > PACKED_NUMBERS.length || wordCols > PACKED_WORDS.length || textCols > PACKED_TEXTS.length)
    throw new Error('call record block written by a newer Keyway');
  const wide = bytes.readUInt8(4) === UTF16;
  const n = bytes.readUInt32LE(8);
  const dictBytes = bytes.readUInt32LE(12);
  const textLength = bytes.readUInt32LE(16);
  let at = HEADER;
  const nums = new Float64Array(n * PACKED_NUMBERS.length).fill(NaN);
  const refs = new Int32Array(n * PACKED_WORDS.length).fill(-1);
  const lens = new Int32Array(n * PACKED_TEXTS.length).fill(-1);
  const groups: Array<[Float64Array | Int32Array, number, number, number]> = [
    [nums, numCols, PACKED_NUMBERS.length, 8],
    [refs, wordCols, PACKED_WORDS.length, 4],
    [lens, textCols, PACKED_TEXTS.length, 4],
  ];
  for (const [into, stored, stride, fullWidth] of groups) {
    for (let c = 0; c < stored; c++) {
      at =
        version === 1
          ? readFullWidth(bytes, at, into, c, stored, stride, n, fullWidth)
          : readColumn(bytes, at, into, c, stride, n);
    }
    // Version 1 stored the group row by row (every column of a record together).
    if (version === 1) at += n * stored * fullWidth;
  }
  const dict = JSON.parse(bytes.toString('utf8', at, at + dictBytes)) as string[];
  at += dictBytes;
  const chars = new Uint16Array(textLength);
  if (wide) {
    for (let i = 0; i < textLength; i++) chars[i] = bytes.readUInt16LE(at + i * 2);
  } else chars.set(bytes.subarray(at, at + textLength));
  return { count: n, nums, refs, lens, dict, chars, textLength };
}

/** One version-2 column into `into` (row-major, `stride` columns); returns where the next one starts. */
function readColumn(
  bytes: Buffer,
  at: number,
  into: Float64Array | Int32Array,
  c: number,
  stride: number,
  n: number,
): number {
  const form = bytes.readUInt8(at);
  const width = bytes.readUInt8(at + 1);
  const base = bytes.readDoubleLE(at + 2);
  at += COLUMN_HEADER;
  const nullValue = into instanceof Float64Array ? NaN : -1;
  const nil = NULL_OF[width] ?? -1;
  const scale = form === THOUSANDTHS ? 1000 : 1;
  for (let i = 0, k = c; i < n; i++, k += stride, at += width) {
    if (form === FLOAT64) into[k] = bytes.readDoubleLE(at);
    else if (form === FLOAT32) into[k] = bytes.readFloatLE(at);
    else if (width === 0) into[k] = Number.isNaN(base) ? nullValue : base / scale;
    else {
      const off =
        width === 1 ? (bytes[at] ?? 0) : width === 2 ? bytes.readUInt16LE(at) : bytes.readUInt32LE(at);
      into[k] = off === nil ? nullValue : (base + off) / scale;
    }
  }
  return at;
}

/** Column `c` of a version-1 group (`stored` columns of `width` bytes a row, row by row, from `at`). */
function readFullWidth(
  bytes: Buffer,
  at: number,
  into: Float64Array | Int32Array,
  c: number,
  stored: number,
  stride: number,
  n: number,
  width: number,
): number {
  for (let i = 0; i < n; i++) {
    const from = at + (i * stored + c) * width;
    into[i * stride + c] = width === 8 ? bytes.readDoubleLE(from) : bytes.readInt32LE(from);
  }
  return at;
}
