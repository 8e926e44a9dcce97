/**
 * Rollups: calls folded per minute, hour and day by workspace, service, route, consumer, app, AI provider
 * and model (empty for other calls) and status class, with sums and a 16-bucket latency histogram; plus route-level rows (grains `M`, `H`, `D`) summed
 * over consumers and apps, for the queries that do not ask about them. Records are folded into minute rows
 * only (in the batch writer, off the request path); the other rows are derived from those at `flush()`,
 * which adds everything to the store with an additive upsert, so several nodes (and a flush that repeats a
 * bucket) simply add up.
 */
import { sql } from 'kysely';
import type { CallRecord } from './records/call-record.js';
import { BatchPacker, PACKED_NUMBERS, PACKED_WORDS, type PackedBatch } from './records/packed-batch.js';
import { BUCKETS, BUCKET_COLUMNS, bucketOf } from './latency-histogram.js';
import type { ObserveDb } from './store/observe-db.js';
import type { RollupTable } from './store/schema.js';

export const GRAINS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type Grain = keyof typeof GRAINS;

/** What a rollup row is counted by: with grain and bucket, its key (the `call_rollups_key` index). */
export const DIMENSIONS = [
  'workspace',
  'service',
  'route',
  'consumer',
  'app',
  'provider',
  'model',
  'status_class',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

interface Acc {
  key: Omit<
    RollupTable,
    | 'count'
    | 'latency_sum'
    | 'upstream_sum'
    | 'bytes_in'
    | 'bytes_out'
    | 'tokens_in'
    | 'tokens_out'
    | 'cost'
    | `h${number}`
  >;
  count: number;
  latency: number;
  upstream: number;
  bytesIn: number;
  bytesOut: number;
  tokensIn: number;
  tokensOut: number;
  cost: number;
  hist: number[];
}

/** Rows per upsert statement: 10 key + 24 value columns, well under SQLite's 32766 parameters. */
const ROWS_PER_STATEMENT = 200;

export class RollupAggregator {
  private pending = new Map<string, Acc>();

  /** Folds records into minute buckets only (packed first: one fold, `addPacked`, for both forms). */
  add(batch: readonly CallRecord[]): void {
    if (batch.length === 0) return;
    const packer = new BatchPacker(batch.length);
    for (const r of batch) packer.add(r);
    this.addPacked(packer.seal());
  }

  /**
   * Folds a packed batch (the record thread's path) into minute buckets, without unpacking it; coarser
   * buckets are derived from these at flush. Records are grouped under a key of the batch's dictionary
   * ids first, and each group is merged into its rollup row once per batch.
   */
  addPacked(b: PackedBatch): void {
    const { nums, refs, dict } = b;
    // Group keys from dictionary ids, as numbers (a string key per record cost 0.4 µs): ids are below `d`,
    // so three of them fit exactly in a double (d³ < 2⁵³ while a batch holds under 200,000 distinct words).
    const d = dict.length + 1;
    const groups = new Map<number, Map<number, Map<number, Acc>>>();
    const word = (id: number): string => (id < 0 ? '' : (dict[id] ?? ''));
    for (let i = 0; i < b.count; i++) {
      const n = i * NUMS;
      const w = i * WORDS;
      const at = nums[n + N_AT] ?? 0;
      const cls = Math.min(5, Math.max(1, Math.floor((nums[n + N_STATUS] ?? 0) / 100)));
      const bucket = at - (at % GRAINS.m);
      const ws = (refs[w + W_WORKSPACE] ?? -1) + 1;
      const svc = (refs[w + W_SERVICE] ?? -1) + 1;
      const route = (refs[w + W_ROUTE] ?? -1) + 1;
      const consumer = (refs[w + W_CONSUMER] ?? -1) + 1;
      const app = (refs[w + W_APP] ?? -1) + 1;
      const provider = (refs[w + W_PROVIDER] ?? -1) + 1;
      const model = (refs[w + W_MODEL] ?? -1) + 1;
      const k1 = (ws * d + svc) * d + route;
      const k2 = (consumer * d + app) * d + provider;
      const k3 = (model * 8 + cls) * 2 ** 26 + bucket / GRAINS.m; // minutes since 1970 stay below 2²⁶ until 2097
      let g1 = groups.get(k1);
      if (g1 === undefined) groups.set(k1, (g1 = new Map<number, Map<number, Acc>>()));
      let g2 = g1.get(k2);
      if (g2 === undefined) g1.set(k2, (g2 = new Map<number, Acc>()));
      let acc = g2.get(k3);
      if (acc === undefined) {
        acc = emptyAcc({
          grain: 'm',
          bucket,
          workspace: word(ws - 1),
          service: word(svc - 1),
          route: word(route - 1),
          consumer: word(consumer - 1),
          app: word(app - 1),
          provider: word(provider - 1),
          model: word(model - 1),
          status_class: cls,
        });
        g2.set(k3, acc);
      }
      const latency = nums[n + N_LATENCY] ?? 0;
      acc.count++;
      acc.latency += latency;
      acc.upstream += zeroIfNull(nums[n + N_UPSTREAM]);
      acc.bytesIn += zeroIfNull(nums[n + N_BYTES_IN]);
      acc.bytesOut += zeroIfNull(nums[n + N_BYTES_OUT]);
      acc.tokensIn += zeroIfNull(nums[n + N_TOKENS_IN]);
      acc.tokensOut += zeroIfNull(nums[n + N_TOKENS_OUT]);
      acc.cost += zeroIfNull(nums[n + N_COST]);
      acc.hist[bucketOf(latency)]++;
    }
    for (const g1 of groups.values()) {
      for (const g2 of g1.values()) {
        for (const acc of g2.values()) {
          const key = keyOf('m', acc.key.bucket, acc.key);
          const now = this.pending.get(key);
          if (now === undefined) this.pending.set(key, acc);
          else mergeInto(now, acc);
        }
      }
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Adds what was folded since the last flush to the store: the minute rows, and derived from them the
   * hour and day rows plus the route-level rows of every grain. On failure the minute rows are kept (and
   * derived again next time).
   */
  async flush(store: ObserveDb): Promise<void> {
    if (this.pending.size === 0) return;
    const taken = this.pending;
    this.pending = new Map();
    const rows = [...withDerived(taken).values()].map(toRow);
    try {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
        await upsert(store, rows.slice(i, i + ROWS_PER_STATEMENT));
    } catch (err) {
      // Fold the unsaved minute rows back (a later flush retries them); a second failure is the caller's to log.
      for (const [k, acc] of taken) {
        const now = this.pending.get(k);
        if (now === undefined) this.pending.set(k, acc);
        else mergeInto(now, acc);
      }
      throw err;
    }
  }
}

/**
 * Rows at three levels of detail per grain. `full` keeps every dimension; `route` sums over consumers and
 * apps; `consumer` sums over services and routes. Every level keeps provider and model: they only split
 * AI calls (few models per route or consumer), and so cost per consumer and model reads consumer rows. A query reads the smallest level that still has the
 * dimensions it filters or groups by, so "30 days of one route at hour grain" scans routes' rows, not
 * routes × consumers (bench/analytics-query.mjs: 231 ms → 9 ms; docs/observability.md has the table).
 */
export const ROLLUP_LEVELS = ['full', 'route', 'consumer'] as const;
export type RollupLevel = (typeof ROLLUP_LEVELS)[number];

export function grainCode(grain: Grain, level: RollupLevel): string {
  return level === 'full' ? grain : level === 'route' ? grain.toUpperCase() : `${grain}c`;
}

/** Minute accumulators plus the hour/day rows and the route- and consumer-level rows derived from them. */
function withDerived(minutes: ReadonlyMap<string, Acc>): Map<string, Acc> {
  const out = new Map<string, Acc>(minutes);
  const fold = (code: string, bucket: number, from: Acc, level: RollupLevel): void => {
    const key: Acc['key'] = { ...from.key, grain: code, bucket };
    if (level === 'route') {
      key.consumer = '';
      key.app = '';
    } else if (level === 'consumer') {
      key.service = '';
      key.route = '';
    }
    const k = keyOf(code, bucket, key);
    let acc = out.get(k);
    if (acc === undefined) {
      acc = emptyAcc(key);
      out.set(k, acc);
    }
    mergeInto(acc, from);
  };
  for (const m of minutes.values()) {
    const at = m.key.bucket;
    for (const grain of ['m', 'h', 'd'] as const) {
      const bucket = at - (at % GRAINS[grain]);
      for (const level of ROLLUP_LEVELS) {
        if (grain === 'm' && level === 'full') continue; // the minute rows themselves
        fold(grainCode(grain, level), bucket, m, level);
      }
    }
  }
  return out;
}

/** The map key of a rollup row: grain, bucket and every dimension. */
function keyOf(grain: string, bucket: number, k: Acc['key']): string {
  return `${grain}${bucket}\u0000${k.workspace}\u0000${k.service}\u0000${k.route}\u0000${k.consumer}\u0000${k.app}\u0000${k.provider}\u0000${k.model}\u0000${k.status_class}`;
}

const NUMS = PACKED_NUMBERS.length;
const WORDS = PACKED_WORDS.length;
const N_AT = PACKED_NUMBERS.indexOf('at');
const N_STATUS = PACKED_NUMBERS.indexOf('status');
const N_LATENCY = PACKED_NUMBERS.indexOf('latency_ms');
const N_UPSTREAM = PACKED_NUMBERS.indexOf('upstream_ms');
const N_BYTES_IN = PACKED_NUMBERS.indexOf('bytes_in');
const N_BYTES_OUT = PACKED_NUMBERS.indexOf('bytes_out');
const N_TOKENS_IN = PACKED_NUMBERS.indexOf('tokens_in');
const N_TOKENS_OUT = PACKED_NUMBERS.indexOf('tokens_out');
const N_COST = PACKED_NUMBERS.indexOf('cost');
const W_WORKSPACE = PACKED_WORDS.indexOf('workspace');
const W_SERVICE = PACKED_WORDS.indexOf('service');
const W_ROUTE = PACKED_WORDS.indexOf('route');
const W_CONSUMER = PACKED_WORDS.indexOf('consumer');
const W_APP = PACKED_WORDS.indexOf('app');
const W_PROVIDER = PACKED_WORDS.indexOf('provider');
const W_MODEL = PACKED_WORDS.indexOf('model');

function zeroIfNull(v: number | undefined): number {
  return v === undefined || Number.isNaN(v) ? 0 : v;
}

function emptyAcc(key: Acc['key']): Acc {
  return {
    key,
    count: 0,
    latency: 0,
    upstream: 0,
    bytesIn: 0,
    bytesOut: 0,
    tokensIn: 0,
    tokensOut: 0,
    cost: 0,
    hist: new Array<number>(BUCKETS).fill(0),
  };
}

function mergeInto(a: Acc, b: Acc): void {
  a.count += b.count;
  a.latency += b.latency;
  a.upstream += b.upstream;
  a.bytesIn += b.bytesIn;
  a.bytesOut += b.bytesOut;
  a.tokensIn += b.tokensIn;
  a.tokensOut += b.tokensOut;
  a.cost += b.cost;
  for (let i = 0; i < BUCKETS; i++) a.hist[i] = a.hist[i] + b.hist[i];
}

function toRow(a: Acc): RollupTable {
  const row: Record<string, number | string> = {
    ...a.key,
    count: a.count,
    latency_sum: a.latency,
    upstream_sum: a.upstream,
    bytes_in: a.bytesIn,
    bytes_out: a.bytesOut,
    tokens_in: a.tokensIn,
    tokens_out: a.tokensOut,
    cost: a.cost,
  };
  for (let i = 0; i < BUCKETS; i++) row[`h${i}`] = a.hist[i];
  return row as unknown as RollupTable;
}

const ADDED = [
  'count',
  'latency_sum',
  'upstream_sum',
  'bytes_in',
  'bytes_out',
  'tokens_in',
  'tokens_out',
  'cost',
  ...BUCKET_COLUMNS,
] as const;

export async function upsert(store: ObserveDb, rows: RollupTable[]): Promise<void> {
  if (rows.length === 0) return;
  await store.db
    .insertInto('call_rollups')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['grain', 'bucket', ...DIMENSIONS])
        .doUpdateSet(
          Object.fromEntries(ADDED.map((c) => [c, sql`call_rollups.${sql.ref(c)} + excluded.${sql.ref(c)}`])),
        ),
    )
    .execute();
}
