/**
 * The one entry point to persistence: picks the dialect from the settings, checks the store answers,
 * and brings its schema up to date before anyone uses it.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import {
  DEFAULT_STORE_TIMEOUT_MS,
  connect,
  unavailable,
  urlPassword,
  type Connection,
} from './connection.js';
import type { Database } from './schema.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** `postgres://…`; absent means embedded SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL schema to keep the tables in (created when missing); tests use it for isolation. */
  schema?: string;
  /** Deadline of a connection and of each statement (`store_timeout_ms`; default 5 s). */
  timeoutMs?: number;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const conn = connect(opts);
  let reader: Kysely<Database> | undefined;
  try {
    reader = conn.dialect === 'sqlite' ? sqliteReader(conn, opts.timeoutMs) : undefined;
  } catch (err) {
    await conn.db.destroy().catch(() => undefined);
    throw err;
  }
  const store = new SqlStore(conn, urlPassword(opts.databaseUrl), opts.timeoutMs, reader);
  try {
    await store.ping();
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

// Loaded only on SQLite nodes (see connection.ts: a node never loads the other dialect's driver).
const require = createRequire(import.meta.url);

/**
 * A second, read-only connection to the SQLite file, for the data plane's paged loads: better-sqlite3 has
 * one connection per handle, and a load spanning many event-loop turns must not hold the writers' one.
 * WAL (set by the main connection) lets it read a consistent version while writers commit.
 */
function sqliteReader(conn: Connection, timeoutMs = DEFAULT_STORE_TIMEOUT_MS): Kysely<Database> {
  try {
    const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
    const database = new Sqlite(conn.location, { readonly: true, fileMustExist: true });
    database.pragma(`busy_timeout = ${timeoutMs}`);
    return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  } catch (err) {
    throw unavailable(conn.location, err);
  }
}

export type { Store, StoreTx } from './types.js';
