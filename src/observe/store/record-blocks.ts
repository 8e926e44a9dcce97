/**
 * What the store keeps of a batch of call records: one block per UTC day the batch touches (almost always
 * one), each the packed batch's bytes (block-codec.ts), its time range, a Bloom filter of its
 * request ids (request-bloom.ts), and the keys a search filters by — every consumer, route,
 * service, app, credential and status that occurs in it.
 *
 * Why blocks and not a row per record: inserting a row of 31 bound columns and four indexes measured
 * 6.1 µs a record with better-sqlite3, 3.8 µs without the indexes — binding the parameters alone is
 * about 2 µs (31 nulls: 1.9 µs; 31 short strings: 4.8 µs). A block costs 0.8 µs a record all in
 * (2,000-record batches, the same machine), and 2,000 times fewer rows makes "tens of millions of calls"
 * a table of thousands. A search reads the blocks its filters and window select and cuts the records out.
 */
import {
  PACKED_NUMBERS,
  PACKED_TEXTS,
  distinctWords,
  subset,
  type PackedBatch,
} from '../records/packed-batch.js';
import { BloomBuilder } from './request-bloom.js';
import { dayOf } from './record-tables.js';

/** Columns a search filters by exactly, as they are named in the keys table. */
export const KEY_KINDS = ['consumer', 'route', 'service', 'app', 'credential'] as const;
export type KeyKind = (typeof KEY_KINDS)[number] | 'status';

export interface StoredBlock {
  day: string;
  firstAt: number;
  lastAt: number;
  count: number;
  /** The records, to encode as the block's `data` (block-codec.ts) when it is written. */
  batch: PackedBatch;
  bloom: Buffer;
  keys: Array<[KeyKind, string]>;
}

export function blocksOf(batch: PackedBatch): StoredBlock[] {
  if (batch.count === 0) return [];
  const [first, last] = timeRange(batch);
  const day = dayOf(first);
  if (day === dayOf(last)) return [block(day, batch, first, last)];
  // A batch that crosses midnight UTC: one block per day.
  const byDay = new Map<string, number[]>();
  for (let i = 0; i < batch.count; i++) {
    const d = dayOf(batch.nums[i * NUMS + AT] ?? 0);
    let rows = byDay.get(d);
    if (rows === undefined) byDay.set(d, (rows = []));
    rows.push(i);
  }
  return [...byDay].map(([d, rows]) => {
    const part = subset(batch, rows);
    const [from, to] = timeRange(part);
    return block(d, part, from, to);
  });
}

function block(day: string, b: PackedBatch, firstAt: number, lastAt: number): StoredBlock {
  const keys: Array<[KeyKind, string]> = [];
  for (const kind of KEY_KINDS) for (const v of distinctWords(b, kind)) keys.push([kind, v]);
  const statuses = new Set<number>();
  for (let i = 0; i < b.count; i++) statuses.add(b.nums[i * NUMS + STATUS] ?? 0);
  for (const s of statuses) keys.push(['status', statusKey(s)]);
  return { day, firstAt, lastAt, count: b.count, batch: b, bloom: requestBloom(b), keys };
}

const NUMS = PACKED_NUMBERS.length;
const AT = PACKED_NUMBERS.indexOf('at');
const STATUS = PACKED_NUMBERS.indexOf('status');

/** The earliest and latest `at` of a batch, read in place. */
function timeRange(b: PackedBatch): [number, number] {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < b.count; i++) {
    const t = b.nums[i * NUMS + AT] ?? 0;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return [first, last];
}

const TEXTS = PACKED_TEXTS.length;
const REQUEST_ID = PACKED_TEXTS.indexOf('request_id');

/** The Bloom filter of a batch's request ids, hashed where they lie in its text. */
function requestBloom(b: PackedBatch): Buffer {
  const bloom = new BloomBuilder(b.count);
  let pos = 0;
  for (let i = 0; i < b.count; i++) {
    for (let c = 0; c < TEXTS; c++) {
      const len = b.lens[i * TEXTS + c] ?? -1;
      if (c === REQUEST_ID && len >= 0) bloom.add(b.chars, pos, pos + len);
      if (len > 0) pos += len;
    }
  }
  return bloom.bits;
}

/** A status as its key: three digits, so the text order of keys is the numeric order (`5xx` is a range). */
export function statusKey(status: number): string {
  return String(Math.max(0, Math.min(999, Math.trunc(status)))).padStart(3, '0');
}
