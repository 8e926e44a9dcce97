/**
 * Analytics over rollups: totals grouped by one dimension (top routes, top consumers, error rates) and
 * time series, with p50/p95/p99 from the summed histograms. The grain follows the window (minutes up to
 * six hours, hours up to fourteen days, days beyond), so 30 days is at most 30 buckets per combination
 * of dimensions and every query is one range scan of the rollup key index.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { BUCKET_COLUMNS, quantile } from './latency-histogram.js';
import { GRAINS, grainCode, type Dimension, type Grain, type RollupLevel } from './rollups.js';
import type { ObserveDb } from './store/observe-db.js';

/** Dimensions a query can filter on (every one but the status class). */
const FILTERS = ['workspace', 'service', 'route', 'consumer', 'app', 'provider', 'model'] as const;

export interface AnalyticsFilter {
  since: number;
  until: number;
  grain?: Grain;
  workspace?: string;
  service?: string;
  route?: string;
  consumer?: string;
  app?: string;
  /** AI calls of this provider / provider's model. */
  provider?: string;
  model?: string;
}

export const ORDERS = ['count', 'errors', 'error_rate', 'cost', 'tokens'] as const;
export type Order = (typeof ORDERS)[number];

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

/**
 * The smallest rollup level that still holds every dimension the query filters or groups by (provider
 * and model are kept at every level).
 */
function levelFor(f: AnalyticsFilter, by: readonly Dimension[] = []): RollupLevel {
  const set = (v: string | undefined) => v !== undefined && v !== '';
  const who = set(f.consumer) || set(f.app) || by.includes('consumer') || by.includes('app');
  const where = set(f.service) || set(f.route) || by.includes('service') || by.includes('route');
  return who && where ? 'full' : who ? 'consumer' : 'route';
}

function conditions(f: AnalyticsFilter, grain: Grain, by?: readonly Dimension[]): Array<Expression<SqlBool>> {
  const size = GRAINS[grain];
  // A bucket belongs to the window when it starts inside it; the first one may start before `since`.
  const from = f.since - (f.since % size);
  const where: Array<Expression<SqlBool>> = [
    sql<SqlBool>`grain = ${grainCode(grain, levelFor(f, by))}`,
    sql<SqlBool>`bucket >= ${from}`,
    sql<SqlBool>`bucket < ${f.until}`,
  ];
  for (const d of FILTERS) {
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

type Key = string | number;

export interface GroupRow extends Stats {
  /** The value of the dimension grouped by; one value per dimension when grouped by several. */
  key: Key | Key[];
}

const ORDER_SQL: Record<Order, string> = {
  count: 'count desc',
  errors: 'errors desc',
  error_rate: '(1.0 * sum(case when status_class = 5 then count else 0 end)) / sum(count) desc',
  cost: 'cost desc',
  tokens: 'sum(tokens_in) + sum(tokens_out) desc',
};

/**
 * Totals per value of `by` — or per combination of values, when `by` lists several dimensions (cost per
 * consumer and model: `['consumer', 'model']`) — largest first (top consumers, routes by error rate…).
 */
export async function summarize(
  store: ObserveDb,
  f: AnalyticsFilter,
  by: Dimension | readonly Dimension[],
  opts: { limit: number; orderBy: Order } = { limit: 20, orderBy: 'count' },
): Promise<{ grain: Grain; data: GroupRow[] }> {
  const dims = typeof by === 'string' ? [by] : by;
  const grain = f.grain ?? grainFor(f.since, f.until);
  const keys = sql.join(dims.map((d, i) => sql`${sql.ref(d)} as ${sql.ref(`k${i}`)}`));
  const where = conditions(f, grain, dims);
  // Grouped by provider or model, the rows are AI calls: other calls have neither.
  for (const d of dims) if (d === 'provider' || d === 'model') where.push(sql<SqlBool>`${sql.ref(d)} <> ''`);
  const rows =
    await sql<SumRow>`select ${keys}, ${SUMS} from call_rollups where ${sql.join(where, sql` and `)} group by ${sql.join(dims.map((d) => sql.ref(d)))} order by ${sql.raw(ORDER_SQL[opts.orderBy])} limit ${opts.limit}`.execute(
      store.db,
    );
  const keyOf = (r: SumRow, i: number): Key =>
    dims[i] === 'status_class' ? Number(r[`k${i}`]) : String(r[`k${i}`] ?? '');
  return {
    grain,
    data: rows.rows.map((r) => ({
      key: typeof by === 'string' ? keyOf(r, 0) : dims.map((_, i) => keyOf(r, i)),
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
