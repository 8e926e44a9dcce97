/**
 * Search over call records: filters, a time window, keyset pagination. Records are stored in blocks
 * (record-blocks.ts), so a search picks blocks first — only the day tables the window touches, newest
 * first (oldest first for `order=asc`, which `--follow` uses), only blocks whose time range overlaps the
 * window, only blocks whose keys hold every filtered consumer, route, service, app, credential and status,
 * and for a request id only blocks whose Bloom filter may hold it — then reads those blocks one at a time
 * and keeps the records that match, until the page is full. "5xx in the last 2 hours" on a store holding
 * tens of millions of calls reads the few blocks that hold a 5xx.
 *
 * Order: blocks in the order they were written (a block per batch of calls that ended about together),
 * and within a block by arrival time. The cursor `<day>.<block>.<index>` names the last record of a page:
 * the next page starts right after it, whatever arrived meanwhile.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { KeywayError } from '../../core/errors.js';
import type { CallRecord } from '../records/call-record.js';
import { decodeBlock } from './block-codec.js';
import { unpack } from '../records/packed-batch.js';
import { mayContain } from './request-bloom.js';
import type { ObserveDb } from './observe-db.js';
import { statusKey, type KeyKind } from './record-blocks.js';
import { dayOf, dayStart, tablesFor, DAY_MS } from './record-tables.js';

export interface LogQuery {
  /** Only calls in this workspace (checked per record: blocks are not keyed by workspace). */
  workspace?: string;
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

/** A record as searches return it: `id` is its place in the store (`<day>.<block>.<index>`). */
export type StoredCallRecord = CallRecord & { id: string; time: string };

export interface LogPage {
  data: StoredCallRecord[];
  next: string | null;
}

interface Cursor {
  day: string;
  block: number;
  index: number;
}

/** Blocks asked for at a time; each is then read on its own, so a full page stops the reading. */
const BLOCKS_PER_QUERY = 32;

export function parseCursor(after: string | undefined): Cursor | undefined {
  if (after === undefined || after === '') return undefined;
  const m = /^(\d{8})\.(\d{1,15})\.(\d{1,9})$/.exec(after);
  if (m === null)
    throw new KeywayError('KW_ERR_VALIDATION', { reason: 'after: not a cursor from a previous page' });
  return { day: m[1] ?? '', block: Number(m[2]), index: Number(m[3]) };
}

function statusRange(status: string | undefined): [number, number] | undefined {
  if (status === undefined || status === '') return undefined;
  const cls = /^([1-5])xx$/i.exec(status);
  if (cls !== null) return [Number(cls[1]) * 100, Number(cls[1]) * 100 + 100];
  if (/^[1-5]\d\d$/.test(status)) return [Number(status), Number(status) + 1];
  throw new KeywayError('KW_ERR_VALIDATION', { reason: 'status: 5xx, 4xx… or a status code such as 502' });
}

const FILTERS = ['consumer', 'route', 'service', 'app', 'credential'] as const satisfies readonly KeyKind[];

export async function searchLogs(store: ObserveDb, q: LogQuery): Promise<LogPage> {
  const cursor = parseCursor(q.after);
  const range = statusRange(q.status);
  const desc = q.order === 'desc';
  if (q.since >= q.until) return { data: [], next: null };
  let firstDay = dayOf(q.since);
  let lastDay = dayOf(q.until - 1);
  if (cursor !== undefined) {
    if (desc && cursor.day < lastDay) lastDay = cursor.day;
    if (!desc && cursor.day > firstDay) firstDay = cursor.day;
  }
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
  const keep = (r: CallRecord): boolean =>
    r.at >= q.since &&
    r.at < q.until &&
    (q.workspace === undefined || r.workspace === q.workspace) &&
    FILTERS.every((f) => q[f] === undefined || q[f] === '' || r[f] === q[f]) &&
    (q.request_id === undefined || q.request_id === '' || r.request_id === q.request_id) &&
    (range === undefined || (r.status >= range[0] && r.status < range[1]));

  for (const day of days) {
    const t = tablesFor(day);
    const from = Math.max(q.since, dayStart(day));
    const to = Math.min(q.until, dayStart(day) + DAY_MS);
    const where: Array<Expression<SqlBool>> = [
      sql<SqlBool>`last_at >= ${from}`,
      sql<SqlBool>`first_at < ${to}`,
    ];
    for (const f of FILTERS) {
      const v = q[f];
      if (v !== undefined && v !== '')
        where.push(
          sql<SqlBool>`id in (select block from ${sql.table(t.keys)} where kind = ${f} and value = ${v})`,
        );
    }
    if (range !== undefined) {
      where.push(
        sql<SqlBool>`id in (select block from ${sql.table(t.keys)} where kind = 'status' and value >= ${statusKey(range[0])} and value < ${statusKey(range[1])})`,
      );
    }
    const inCursorDay = cursor !== undefined && cursor.day === day;
    let edge: number | undefined = inCursorDay ? cursor.block : undefined;
    let edgeIncluded = true;
    for (;;) {
      const bound: Array<Expression<SqlBool>> =
        edge === undefined
          ? []
          : [
              desc
                ? edgeIncluded
                  ? sql<SqlBool>`id <= ${edge}`
                  : sql<SqlBool>`id < ${edge}`
                : edgeIncluded
                  ? sql<SqlBool>`id >= ${edge}`
                  : sql<SqlBool>`id > ${edge}`,
            ];
      const dir = sql.raw(desc ? 'desc' : 'asc');
      let candidates: Array<{ id: number | string; bloom?: Uint8Array }>;
      try {
        const bloom = q.request_id !== undefined && q.request_id !== '' ? sql`, bloom` : sql``;
        candidates = (
          await sql<{
            id: number | string;
            bloom?: Uint8Array;
          }>`select id${bloom} from ${sql.table(t.blocks)} where ${sql.join([...where, ...bound], sql` and `)} order by id ${dir} limit ${BLOCKS_PER_QUERY}`.execute(
            store.db,
          )
        ).rows;
      } catch (err) {
        // A day listed before block tables existed (records of an earlier layout): nothing to read here.
        if (/no such table|does not exist/i.test(err instanceof Error ? err.message : '')) break;
        throw err;
      }
      for (const c of candidates) {
        const block = Number(c.id);
        if (c.bloom !== undefined && !mayContain(c.bloom, q.request_id ?? '')) continue;
        const row = (
          await sql<{
            data: Uint8Array;
          }>`select data from ${sql.table(t.blocks)} where id = ${block}`.execute(store.db)
        ).rows[0];
        if (row === undefined) continue;
        const records = inTimeOrder(unpack(decodeBlock(row.data)));
        const skipThrough = inCursorDay && block === cursor.block ? cursor.index : undefined;
        for (let k = 0; k < records.length; k++) {
          const i = desc ? records.length - 1 - k : k;
          if (skipThrough !== undefined && (desc ? i >= skipThrough : i <= skipThrough)) continue;
          const r = records[i];
          if (r === undefined || !keep(r)) continue;
          out.push({ ...r, id: `${day}.${block}.${i}`, time: new Date(r.at).toISOString() });
          if (out.length > q.limit) return page(out, q.limit);
        }
      }
      if (candidates.length < BLOCKS_PER_QUERY) break;
      edge = Number(candidates[candidates.length - 1]?.id);
      edgeIncluded = false;
    }
  }
  return page(out, q.limit);
}

/** A block's records by arrival time (stable: equal times keep their written order). */
function inTimeOrder(records: CallRecord[]): CallRecord[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.at - b.r.at || a.i - b.i)
    .map((x) => x.r);
}

function page(out: StoredCallRecord[], limit: number): LogPage {
  const more = out.length > limit;
  const data = more ? out.slice(0, limit) : out;
  const last = data[data.length - 1];
  return { data, next: more && last !== undefined ? last.id : null };
}
