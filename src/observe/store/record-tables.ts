/**
 * Call records are partitioned by UTC day: per day a table of blocks, `call_blocks_YYYYMMDD` (a block is
 * the records of one written batch: record-blocks.ts), and a table of the keys each block holds,
 * `call_block_keys_YYYYMMDD`, on both SQLite and PostgreSQL. Why tables and not PostgreSQL declarative
 * partitions: the same DDL, queries and retention work on both dialects; retention is a `DROP TABLE`
 * (instant, no vacuum, no index bloat), and a search for "the last two hours" opens one or two small
 * tables instead of an index over everything — APIPark's analysis page froze on one 55M-row table.
 * `call_record_days` lists the days that have tables, so readers never guess.
 *
 * Indexes are what the searches need and no more: blocks by id (keyset order) and by time; keys by
 * (kind, value, block), so "this consumer's blocks" or "blocks with a 5xx" is one index range.
 */
import type { Dialect } from '../../store/types.js';

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

export interface DayTables {
  blocks: string;
  keys: string;
}

export function tablesFor(day: string): DayTables {
  // Table names are built, never taken from input: the day is checked so nothing else reaches the DDL.
  if (!DAY.test(day)) throw new Error(`not a day: ${day}`);
  return { blocks: `call_blocks_${day}`, keys: `call_block_keys_${day}` };
}

/** Every table a day may have, for retention (including `call_records_*` of the row-per-record layout). */
export function allTablesFor(day: string): string[] {
  const t = tablesFor(day);
  return [t.keys, t.blocks, `call_records_${day}`];
}

/** Statements that create one day's tables and indexes (idempotent). */
export function createDaySql(dialect: Dialect, day: string): string[] {
  const { blocks, keys } = tablesFor(day);
  const pg = dialect === 'postgres';
  return [
    `create table if not exists ${blocks} (${pg ? 'id bigserial primary key' : 'id integer primary key'}, ` +
      `first_at bigint not null, last_at bigint not null, count integer not null, ` +
      `data ${pg ? 'bytea' : 'blob'} not null, bloom ${pg ? 'bytea' : 'blob'} not null)`,
    `create index if not exists ${blocks}_time on ${blocks} (last_at, first_at)`,
    `create table if not exists ${keys} (kind text not null, value text not null, block bigint not null, ` +
      `primary key (kind, value, block))${pg ? '' : ' without rowid'}`,
    pg
      ? `insert into call_record_days (day) values ('${day}') on conflict do nothing`
      : `insert or ignore into call_record_days (day) values ('${day}')`,
  ];
}
