/**
 * Call records are partitioned by UTC day: one table per day, `call_records_YYYYMMDD`, on both SQLite
 * and PostgreSQL. Why tables and not PostgreSQL declarative partitions: the same DDL, queries and
 * retention work on both dialects; retention is a `DROP TABLE` (instant, no vacuum, no index bloat),
 * and a search for "the last two hours" opens one or two small tables instead of an index over
 * everything — APIPark's analysis page froze on one 55M-row table. `call_record_days` lists the days
 * that have a table, so readers never guess.
 *
 * Indexes are what the searches need and no more (each one costs every insert):
 * time (keyset order), consumer + time, route + time, and status + time only for status >= 400,
 * a partial index that stays small because errors are the minority.
 */
import type { Dialect } from '../../store/types.js';
import { RECORD_COLUMNS, NUMERIC_COLUMNS, REAL_COLUMNS } from '../records/call-record.js';

const DAY = /^\d{8}$/;
export const DAY_MS = 86_400_000;

/** `YYYYMMDD` of an epoch-ms time, UTC. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return `${y}${m < 10 ? '0' : ''}${m}${day < 10 ? '0' : ''}${day}`;
}

/** Start of a `YYYYMMDD` day, epoch ms UTC. */
export function dayStart(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
}

export function tableFor(day: string): string {
  // Table names are built, never taken from input: the day is checked so nothing else reaches the DDL.
  if (!DAY.test(day)) throw new Error(`not a day: ${day}`);
  return `call_records_${day}`;
}

function columnType(dialect: Dialect, col: (typeof RECORD_COLUMNS)[number]): string {
  if (REAL_COLUMNS.has(col)) return dialect === 'postgres' ? 'double precision' : 'real';
  if (col === 'at') return dialect === 'postgres' ? 'bigint not null' : 'integer not null';
  if (NUMERIC_COLUMNS.has(col)) return dialect === 'postgres' ? 'bigint' : 'integer';
  return 'text';
}

/** Statements that create one day's table and its indexes (idempotent). */
export function createDaySql(dialect: Dialect, day: string): string[] {
  const t = tableFor(day);
  const id = dialect === 'postgres' ? 'id bigserial primary key' : 'id integer primary key';
  const cols = RECORD_COLUMNS.map((c) => `${c} ${columnType(dialect, c)}`).join(', ');
  return [
    `create table if not exists ${t} (${id}, ${cols})`,
    `create index if not exists ${t}_at on ${t} (at, id)`,
    `create index if not exists ${t}_consumer on ${t} (consumer, at, id)`,
    `create index if not exists ${t}_route on ${t} (route, at, id)`,
    `create index if not exists ${t}_errors on ${t} (status, at, id) where status >= 400`,
    dialect === 'postgres'
      ? `insert into call_record_days (day) values ('${day}') on conflict do nothing`
      : `insert or ignore into call_record_days (day) values ('${day}')`,
  ];
}
