/**
 * Search over call records: filters, a time window, keyset pagination. Only the day tables the window
 * touches are opened, newest first (oldest first for `order=asc`, which `--follow` uses), each with an
 * indexed, bounded query, until the page is full — so "5xx in the last 2 hours" on a store holding tens
 * of millions of rows reads one or two days' indexes, never the rest.
 *
 * The cursor is `<at>.<id>`: the record's day (hence its table) follows from `at`, and `(at, id)` is
 * unique within it.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { KeywayError } from '../../core/errors.js';
import type { CallRecord } from '../records/call-record.js';
import type { ObserveDb } from './observe-db.js';
import { dayOf, dayStart, tableFor, DAY_MS } from './record-tables.js';

export interface LogQuery {
  consumer?: string;
  route?: string;
  service?: string;
  app?: string;
  credential?: string;
  request_id?: string;
  /** `5xx`, `4xx`, or one status such as `502`. */
  status?: string;
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  limit: number;
  after?: string;
  order: 'desc' | 'asc';
}

export type StoredCallRecord = CallRecord & { id: number; time: string };

export interface LogPage {
  data: StoredCallRecord[];
  next: string | null;
}

export function parseCursor(after: string | undefined): { at: number; id: number } | undefined {
  if (after === undefined || after === '') return undefined;
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(after);
  if (m === null)
    throw new KeywayError('KW_ERR_VALIDATION', { reason: 'after: not a cursor from a previous page' });
  return { at: Number(m[1]), id: Number(m[2]) };
}

function statusRange(status: string | undefined): [number, number] | undefined {
  if (status === undefined || status === '') return undefined;
  const cls = /^([1-5])xx$/i.exec(status);
  if (cls !== null) return [Number(cls[1]) * 100, Number(cls[1]) * 100 + 100];
  if (/^[1-5]\d\d$/.test(status)) return [Number(status), Number(status) + 1];
  throw new KeywayError('KW_ERR_VALIDATION', { reason: 'status: 5xx, 4xx… or a status code such as 502' });
}

export async function searchLogs(store: ObserveDb, q: LogQuery): Promise<LogPage> {
  const cursor = parseCursor(q.after);
  const range = statusRange(q.status);
  let since = q.since;
  let until = q.until;
  if (cursor !== undefined) {
    if (q.order === 'desc') until = Math.min(until, cursor.at + 1);
    else since = Math.max(since, cursor.at);
  }
  if (since >= until) return { data: [], next: null };
  const firstDay = dayOf(since);
  const lastDay = dayOf(until - 1);
  const days = (
    await store.db
      .selectFrom('call_record_days')
      .select('day')
      .where('day', '>=', firstDay)
      .where('day', '<=', lastDay)
      .orderBy('day', q.order)
      .execute()
  ).map((r) => r.day);

  const out: StoredCallRecord[] = [];
  for (const day of days) {
    const want = q.limit + 1 - out.length;
    if (want <= 0) break;
    const from = Math.max(since, dayStart(day));
    const to = Math.min(until, dayStart(day) + DAY_MS);
    const where: Array<Expression<SqlBool>> = [sql<SqlBool>`at >= ${from}`, sql<SqlBool>`at < ${to}`];
    if (cursor !== undefined && dayOf(cursor.at) === day) {
      where.push(
        q.order === 'desc'
          ? sql<SqlBool>`(at < ${cursor.at} or (at = ${cursor.at} and id < ${cursor.id}))`
          : sql<SqlBool>`(at > ${cursor.at} or (at = ${cursor.at} and id > ${cursor.id}))`,
      );
    }
    for (const col of ['consumer', 'route', 'service', 'app', 'credential', 'request_id'] as const) {
      const v = q[col];
      if (v !== undefined && v !== '') where.push(sql<SqlBool>`${sql.ref(col)} = ${v}`);
    }
    if (range !== undefined) where.push(sql<SqlBool>`status >= ${range[0]} and status < ${range[1]}`);
    const dir = sql.raw(q.order);
    const rows =
      await sql<StoredCallRecord>`select * from ${sql.table(tableFor(day))} where ${sql.join(where, sql` and `)} order by at ${dir}, id ${dir} limit ${want}`.execute(
        store.db,
      );
    for (const r of rows.rows) out.push(normalize(r));
  }
  const more = out.length > q.limit;
  const data = more ? out.slice(0, q.limit) : out;
  const last = data[data.length - 1];
  return { data, next: more && last !== undefined ? `${last.at}.${last.id}` : null };
}

/** PostgreSQL returns bigint as text: numbers back to numbers, and a readable time beside `at`. */
function normalize(r: StoredCallRecord): StoredCallRecord {
  const at = Number(r.at);
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    ...r,
    id: Number(r.id),
    at,
    time: new Date(at).toISOString(),
    status: Number(r.status),
    upstream_status: num(r.upstream_status),
    bytes_in: num(r.bytes_in),
    bytes_out: num(r.bytes_out),
    retries: Number(r.retries),
    tokens_in: num(r.tokens_in),
    tokens_out: num(r.tokens_out),
  };
}
