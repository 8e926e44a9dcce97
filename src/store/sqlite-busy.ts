/**
 * SQLite's wait for another connection's write lock, done without blocking the event loop.
 *
 * better-sqlite3 is synchronous: with a busy timeout, a statement that meets a lock held by another
 * connection (the record thread's, or the config thread's during a large apply) spins inside the driver
 * for up to that timeout, and the proxy's event loop with it — seconds without answering a request. The
 * node's connection therefore runs with `busy_timeout = 0` and this wrapper retries a statement refused
 * with SQLITE_BUSY after a short timer, until the store deadline; past it the last SQLITE_BUSY is thrown
 * as before (store/failures.ts makes it KW_ERR_STORE_UNAVAILABLE).
 *
 * A statement refused with SQLITE_BUSY had no effect, so running it again is safe: `begin immediate`
 * (where writers wait for each other), or a statement outside a transaction.
 */
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';

/** The first wait, and the longest: a lock is typically held for one transaction (ms to tens of ms). */
const FIRST_WAIT_MS = 1;
const MAX_WAIT_MS = 20;

export interface BusyClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: BusyClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // SQLITE_BUSY_SNAPSHOT is left out: a stale read snapshot stays stale however long one waits.
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY' || code === 'SQLITE_BUSY_TIMEOUT';
}

/** Runs `attempt` until it does not fail with SQLITE_BUSY or `deadlineMs` has passed. */
export async function retryWhileBusy<T>(
  attempt: () => Promise<T>,
  deadlineMs: number,
  clock: BusyClock = realClock,
): Promise<T> {
  const end = clock.now() + deadlineMs;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const left = end - clock.now();
      if (!isSqliteBusy(err) || left <= 0) throw err;
      await clock.sleep(Math.min(wait, left));
      wait = Math.min(wait * 2, MAX_WAIT_MS);
    }
  }
}

/** A Kysely connection whose statements wait out another connection's lock on timers. */
export class BusyRetryConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  readonly #deadlineMs: number;
  readonly #clock: BusyClock;

  constructor(inner: DatabaseConnection, deadlineMs: number, clock: BusyClock = realClock) {
    this.#inner = inner;
    this.#deadlineMs = deadlineMs;
    this.#clock = clock;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return retryWhileBusy(() => this.#inner.executeQuery<R>(query), this.#deadlineMs, this.#clock);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.#inner.streamQuery<R>(query, chunkSize);
  }
}
