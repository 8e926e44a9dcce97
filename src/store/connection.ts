/**
 * Opens the Kysely instance for either dialect, and keeps credentials out of every message about it.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import { KeywayError } from '../core/errors.js';
import { DeadlinePool } from './pg-deadline-pool.js';
import { BusyRetryConnection } from './sqlite-busy.js';
import type { Dialect } from './types.js';
import type { Database } from './schema.js';

export interface Connection {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the store lives, safe to print (no password). */
  location: string;
  /** PostgreSQL schema the tables live in (`public` unless isolated). */
  schema: string | undefined;
  /** `select 1` within `timeoutMs`, connection included; rejects with KW_ERR_STORE_UNAVAILABLE. */
  ping(timeoutMs: number): Promise<void>;
}

/**
 * How long a store call waits for a connection or for one statement's answer unless told otherwise
 * (`store_timeout_ms`). A black-holed PostgreSQL then fails calls, and `openStore` at start, in bounded
 * time instead of hanging them.
 */
export const DEFAULT_STORE_TIMEOUT_MS = 5_000;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

// Each node uses one dialect: the other driver is never loaded (pg alone costs about 5 MB of RSS, and the
// 1 GiB streaming test holds the whole process under 150 MB). Both are CommonJS, so require() is exact.
const require = createRequire(import.meta.url);
const loadSqlite = (): typeof BetterSqlite3 => require('better-sqlite3') as typeof BetterSqlite3;
const loadPg = (): typeof pg => require('pg') as typeof pg;

export interface ConnectOptions {
  databaseUrl?: string;
  dataDir: string;
  schema?: string;
  /** Deadline of a connection and of each statement (PostgreSQL); default DEFAULT_STORE_TIMEOUT_MS. */
  timeoutMs?: number;
}

export function connect(opts: ConnectOptions): Connection {
  const url = opts.databaseUrl;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  if (url === undefined || url === '') return connectSqlite(opts.dataDir, timeoutMs);
  if (/^postgres(ql)?:\/\//i.test(url)) return connectPostgres(url, opts.schema, timeoutMs);
  throw new KeywayError('KW_ERR_NODE_CONFIG', {
    field: 'database_url',
    reason: `unsupported scheme in ${redactUrl(url)} (expected postgres://)`,
  });
}

/**
 * Opens (creating when absent) the node's SQLite file with mode 0600. SQLite itself creates files 0644,
 * and the -wal and -shm files it adds copy the database file's mode, so creating the database file
 * private first makes all three private. Files an earlier version left 0644 are tightened here; the WAL
 * and shared-memory files of that era too (they persist while any connection is open).
 */
export function openSqliteFile(dataDir: string): BetterSqlite3.Database {
  const file = join(dataDir, 'keyway.db');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) privateMode(f);
  return new (loadSqlite())(file);
}

/** chmod 0600 when the file exists and is looser; a file owned by someone else is left to its owner. */
function privateMode(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}

/**
 * SQLite is in-process and synchronous: nothing to black-hole. Its one wait is for another connection's
 * write lock (the record thread's, the config thread's), up to the store deadline: on timers
 * (sqlite-busy.ts), not in the driver's busy timeout, which would hold the event loop for that long.
 */
function connectSqlite(dataDir: string, timeoutMs: number): Connection {
  const file = join(dataDir, 'keyway.db');
  let database: BetterSqlite3.Database;
  try {
    database = openSqliteFile(dataDir);
    // WAL lets the snapshot loader read while the admin API writes; foreign keys give the cascade delete.
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 0');
  } catch (err) {
    throw new KeywayError(
      'KW_ERR_STORE_UNAVAILABLE',
      { reason: `${file}: ${errorText(err)}` },
      { cause: err },
    );
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }, timeoutMs) });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    schema: undefined,
    async ping() {
      try {
        database.prepare('select 1').get();
      } catch (err) {
        throw unavailable(file, err);
      }
    },
  };
}

/**
 * SQLite transactions that may write begin IMMEDIATE: they take the write lock up front. The record
 * thread writes call records into the same file from its own connection; a transaction begun deferred
 * reads, lets that writer commit, and then fails its first write with SQLITE_BUSY_SNAPSHOT at once (the
 * busy timeout does not apply to a stale snapshot). Begun immediate, it waits out the other writer (on
 * timers, sqlite-busy.ts) before its first read instead. Transactions started `read only` stay deferred
 * and lock nothing.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #settings: SqliteDialectConfig;
  readonly #busyDeadlineMs: number;
  constructor(config: SqliteDialectConfig, busyDeadlineMs: number) {
    super(config);
    this.#settings = config;
    this.#busyDeadlineMs = busyDeadlineMs;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#settings, this.#busyDeadlineMs);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #busyDeadlineMs: number;
  /** SQLite has one connection per driver: its retrying wrapper is made once. */
  #wrapped: { inner: DatabaseConnection; outer: DatabaseConnection } | undefined;
  constructor(config: SqliteDialectConfig, busyDeadlineMs: number) {
    super(config);
    this.#busyDeadlineMs = busyDeadlineMs;
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    if (this.#wrapped?.inner !== inner)
      this.#wrapped = { inner, outer: new BusyRetryConnection(inner, this.#busyDeadlineMs) };
    return this.#wrapped.outer;
  }
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    if (settings?.accessMode === 'read only') return super.beginTransaction(connection);
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

function connectPostgres(url: string, schema: string | undefined, timeoutMs: number): Connection {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'schema',
      reason: 'must be a plain SQL identifier',
    });
  }
  const location = redactUrl(url);
  const password = urlPassword(url);
  const pgPool = new (loadPg().Pool)({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  const pool = new DeadlinePool(pgPool, {
    timeoutMs,
    unavailable: (err) => unavailable(location, err, password),
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, that would kill the process.
  // The next query reports the outage through ping()/KW_ERR_STORE_UNAVAILABLE instead.
  pgPool.on('error', () => undefined);
  // A client that is checked out (between the queries of a transaction, or just acquired) has no pool
  // listener: losing its server then emits 'error' on the client itself, which killed the node in the
  // PostgreSQL-outage test (test/cluster/faults.test.ts). Its queries still fail with the error, and the
  // pool drops it on release because it is no longer queryable.
  pgPool.on('connect', (client) => client.on('error', () => undefined));
  const dialect = new PostgresDialect({
    pool,
    // Every pooled connection resolves unqualified table names in the isolated schema first.
    ...(schema === undefined
      ? {}
      : {
          onCreateConnection: async (conn) => {
            await conn.executeQuery(CompiledQuery.raw(`set search_path to "${schema}"`));
          },
        }),
  });
  return {
    db: new Kysely<Database>({ dialect }),
    dialect: 'postgres',
    location,
    schema,
    ping: (ms) => pool.ping(ms),
  };
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`; unparsable input is hidden whole. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return '<unparsable database URL>';
  }
}

/** The password of a URL, to scrub from driver messages that might echo the connection string. */
export function urlPassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p === '' ? undefined : p;
  } catch {
    return undefined;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Wraps a driver failure as KW_ERR_STORE_UNAVAILABLE, scrubbing any credential it might repeat. */
export function unavailable(location: string, err: unknown, password?: string): KeywayError {
  if (err instanceof KeywayError) return err;
  let text = `${location}: ${errorText(err)}`.replace(/(\w+:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
  if (password !== undefined && password.length > 0) text = text.split(password).join('***');
  return new KeywayError('KW_ERR_STORE_UNAVAILABLE', { reason: text });
}
