/**
 * Analytics over rollups: totals grouped by one dimension (top routes, top consumers, error rates) and
 * time series, with p50/p95/p99 from the summed histograms. The grain follows the window (minutes up to
 * six hours, hours up to fourteen days, days beyond), so 30 days is at most 30 buckets per combination
 * of dimensions and every query is one range scan of the rollup key index.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { BUCKET_COLUMNS, quantile } from './latency-histogram.js';
import { GRAINS, grainCode, type Grain, type RollupLevel } from './rollups.js';
import type { ObserveDb } from './store/observe-db.js';

export const DIMENSIONS = ['workspace', 'service', 'route', 'consumer', 'app', 'status_class'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface AnalyticsFilter {
  since: number;
  until: number;
  grain?: Grain;
  workspace?: string;
  service?: string;
  route?: string;
  consumer?: string;
  app?: string;
}

export interface Stats {
  count: number;
  errors: number;
  client_errors: number;
  /** 5xx share in percent. */
  error_rate: number;
  avg_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  bytes_in: number;
  bytes_out: number;
  tokens_in: number;
  tokens_out: number;
  cost: number;
}

export function grainFor(since: number, until: number): Grain {
  const span = until - since;
  if (span <= 6 * GRAINS.h) return 'm';
  if (span <= 14 * GRAINS.d) return 'h';
  return 'd';
}

const SUMS = sql.raw(
  [
    'sum(count) as count',
    'sum(case when status_class = 5 then count else 0 end) as errors',
    'sum(case when status_class = 4 then count else 0 end) as client_errors',
    'sum(latency_sum) as latency_sum',
    'sum(bytes_in) as bytes_in',
    'sum(bytes_out) as bytes_out',
    'sum(tokens_in) as tokens_in',
    'sum(tokens_out) as tokens_out',
    'sum(cost) as cost',
    ...BUCKET_COLUMNS.map((h) => `sum(${h}) as ${h}`),
  ].join(', '),
);

/** The smallest rollup level that still holds every dimension the query filters or groups by. */
function levelFor(f: AnalyticsFilter, by?: Dimension): RollupLevel {
  const set = (v: string | undefined) => v !== undefined && v !== '';
  const who = set(f.consumer) || set(f.app) || by === 'consumer' || by === 'app';
  const where = set(f.service) || set(f.route) || by === 'service' || by === 'route';
  return who && where ? 'full' : who ? 'consumer' : 'route';
}

function conditions(f: AnalyticsFilter, grain: Grain, by?: Dimension): Array<Expression<SqlBool>> {
  const size = GRAINS[grain];
  // A bucket belongs to the window when it starts inside it; the first one may start before `since`.
  const from = f.since - (f.since % size);
  const where: Array<Expression<SqlBool>> = [
    sql<SqlBool>`grain = ${grainCode(grain, levelFor(f, by))}`,
    sql<SqlBool>`bucket >= ${from}`,
    sql<SqlBool>`bucket < ${f.until}`,
  ];
  for (const d of ['workspace', 'service', 'route', 'consumer', 'app'] as const) {
    const v = f[d];
    if (v !== undefined && v !== '') where.push(sql<SqlBool>`${sql.ref(d)} = ${v}`);
  }
  return where;
}

type SumRow = Record<string, string | number | null>;

function stats(r: SumRow): Stats {
  const n = (k: string): number => Number(r[k] ?? 0);
  const count = n('count');
  const hist = BUCKET_COLUMNS.map((h) => n(h));
  return {
    count,
    errors: n('errors'),
    client_errors: n('client_errors'),
    error_rate: count === 0 ? 0 : Math.round((n('errors') / count) * 10000) / 100,
    avg_ms: count === 0 ? null : Math.round((n('latency_sum') / count) * 100) / 100,
    p50_ms: quantile(hist, 0.5),
    p95_ms: quantile(hist, 0.95),
    p99_ms: quantile(hist, 0.99),
    bytes_in: n('bytes_in'),
    bytes_out: n('bytes_out'),
    tokens_in: n('tokens_in'),
    tokens_out: n('tokens_out'),
    cost: Math.round(n('cost') * 1e6) / 1e6,
  };
}

export interface GroupRow extends Stats {
  key: string | number;
}

/** Totals per value of `by`, largest first (top consumers, routes by error rate…). */
export async function summarize(
  store: ObserveDb,
  f: AnalyticsFilter,
  by: Dimension,
  opts: { limit: number; orderBy: 'count' | 'errors' | 'error_rate' } = { limit: 20, orderBy: 'count' },
): Promise<{ grain: Grain; data: GroupRow[] }> {
  const grain = f.grain ?? grainFor(f.since, f.until);
  const order =
    opts.orderBy === 'error_rate'
      ? sql.raw('(1.0 * sum(case when status_class = 5 then count else 0 end)) / sum(count) desc')
      : sql.raw(`${opts.orderBy === 'errors' ? 'errors' : 'count'} desc`);
  const rows =
    await sql<SumRow>`select ${sql.ref(by)} as key, ${SUMS} from call_rollups where ${sql.join(conditions(f, grain, by), sql` and `)} group by ${sql.ref(by)} order by ${order} limit ${opts.limit}`.execute(
      store.db,
    );
  return {
    grain,
    data: rows.rows.map((r) => ({
      key: by === 'status_class' ? Number(r['key']) : String(r['key']),
      ...stats(r),
    })),
  };
}

export interface SeriesPoint extends Stats {
  bucket: string;
}

/** One point per bucket of the grain, oldest first. */
export async function timeseries(
  store: ObserveDb,
  f: AnalyticsFilter,
): Promise<{ grain: Grain; data: SeriesPoint[] }> {
  const grain = f.grain ?? grainFor(f.since, f.until);
  const rows =
    await sql<SumRow>`select bucket, ${SUMS} from call_rollups where ${sql.join(conditions(f, grain), sql` and `)} group by bucket order by bucket`.execute(
      store.db,
    );
  return {
    grain,
    data: rows.rows.map((r) => ({ bucket: new Date(Number(r['bucket'])).toISOString(), ...stats(r) })),
  };
}

/** Totals of the whole window (one row), for alerts and the summary header. */
export async function totals(store: ObserveDb, f: AnalyticsFilter): Promise<Stats> {
  const grain = f.grain ?? grainFor(f.since, f.until);
  const rows =
    await sql<SumRow>`select ${SUMS} from call_rollups where ${sql.join(conditions(f, grain), sql` and `)}`.execute(
      store.db,
    );
  return stats(rows.rows[0] ?? {});
}
