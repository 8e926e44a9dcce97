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

  /** Folds records into minute buckets only; coarser buckets are derived from these at flush. */
  add(batch: readonly CallRecord[]): void {
    for (const r of batch) {
      const cls = Math.min(5, Math.max(1, Math.floor(r.status / 100)));
      const bucket = r.at - (r.at % GRAINS.m);
      const k = `m${bucket}\u0000${r.workspace ?? ''}\u0000${r.service ?? ''}\u0000${r.route ?? ''}\u0000${r.consumer ?? ''}\u0000${r.app ?? ''}\u0000${r.provider ?? ''}\u0000${r.model ?? ''}\u0000${cls}`;
      let acc = this.pending.get(k);
      if (acc === undefined) {
        acc = emptyAcc({
          grain: 'm',
          bucket,
          workspace: r.workspace ?? '',
          service: r.service ?? '',
          route: r.route ?? '',
          consumer: r.consumer ?? '',
          app: r.app ?? '',
          provider: r.provider ?? '',
          model: r.model ?? '',
          status_class: cls,
        });
        this.pending.set(k, acc);
      }
      acc.count++;
      acc.latency += r.latency_ms;
      acc.upstream += r.upstream_ms ?? 0;
      acc.bytesIn += r.bytes_in ?? 0;
      acc.bytesOut += r.bytes_out ?? 0;
      acc.tokensIn += r.tokens_in ?? 0;
      acc.tokensOut += r.tokens_out ?? 0;
      acc.cost += r.cost ?? 0;
      acc.hist[bucketOf(r.latency_ms)]++;
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
    const k = `${code}${bucket}\u0000${key.workspace}\u0000${key.service}\u0000${key.route}\u0000${key.consumer}\u0000${key.app}\u0000${key.provider}\u0000${key.model}\u0000${key.status_class}`;
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
