/**
 * Observability's own connection to the store: reads (log search, analytics, alerts) and writes (rollups,
 * retention) never queue behind configuration transactions on the node's store connection, and on
 * PostgreSQL a slow analytics query holds a connection of this small pool, not of the store's.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { connect, type ConnectOptions } from '../../store/connection.js';
import type { Dialect } from '../../store/types.js';
import type { ObserveTables } from './schema.js';

export interface ObserveDb {
  db: Kysely<ObserveTables>;
  dialect: Dialect;
  close(): Promise<void>;
}

export function openObserveDb(opts: ConnectOptions): ObserveDb {
  const conn = connect(opts);
  const db = conn.db.withTables<ObserveTables>() as unknown as Kysely<ObserveTables>;
  return { db, dialect: conn.dialect, close: () => conn.db.destroy() };
}

/** Over a SQLite connection opened by the caller (the record thread inserts records on it directly). */
export function sqliteObserveDb(database: BetterSqlite3.Database): ObserveDb {
  const db = new Kysely<ObserveTables>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}
