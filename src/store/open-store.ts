/**
 * The one entry point to persistence: picks the dialect from the settings, checks the store answers,
 * and brings its schema up to date before anyone uses it.
 */
import { connect, urlPassword } from './connection.js';
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
  const store = new SqlStore(conn, urlPassword(opts.databaseUrl), opts.timeoutMs);
  try {
    await store.ping();
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

export type { Store, StoreTx } from './types.js';
