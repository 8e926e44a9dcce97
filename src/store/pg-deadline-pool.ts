/**
 * The PostgreSQL pool Kysely talks to, with a deadline on everything. pg itself waits forever for a
 * server that accepted the connection and went silent (a hung host, a firewall dropping packets): a
 * `/ready` probe hung past 10 s that way, and admin writes hung until the kernel gave up on the socket.
 *
 * - Getting a connection (from the pool, or a new one) is bounded by pg-pool's `connectionTimeoutMillis`,
 *   set to the same deadline by the caller.
 * - Every statement gets `timeoutMs` to answer. One that does not fails with KW_ERR_STORE_UNAVAILABLE and
 *   its connection is destroyed, not returned to the pool: the statement may still be in flight, and a
 *   session that is gone cannot commit it later (PostgreSQL rolls back the transaction of a lost session).
 *   A COMMIT already sent when the deadline passes may still land; no client can know, and the message
 *   says the statement was abandoned, not that it failed.
 * - Driver errors that are not the server refusing a statement (refused, reset, terminated connections)
 *   become KW_ERR_STORE_UNAVAILABLE here, so every query path — configuration, API keys, records,
 *   analytics — reports an outage the same way; statement errors pass unchanged for the caller to map
 *   (unique violations → 409, …).
 *
 * A timer per statement: store calls are off the proxy path (the data plane serves from its snapshot).
 */
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { KeywayError } from '../core/errors.js';
import { isStatementError } from './failures.js';

export interface DeadlinePoolOptions {
  /** Longest wait for a connection or for one statement's answer. */
  timeoutMs: number;
  /** Driver error → the error to throw (scrubs credentials; statement errors are not passed here). */
  unavailable: (err: unknown) => KeywayError;
}

export class DeadlinePool implements PostgresPool {
  readonly #pool: pg.Pool;
  readonly #opts: DeadlinePoolOptions;
  /** One wrapper per pg client: Kysely keys its per-connection state (search_path set once) by it. */
  readonly #wrapped = new WeakMap<pg.PoolClient, DeadlineClient>();

  constructor(pool: pg.Pool, opts: DeadlinePoolOptions) {
    this.#pool = pool;
    this.#opts = opts;
  }

  async connect(): Promise<PostgresPoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw this.#fail(err);
    }
    let w = this.#wrapped.get(client);
    if (w === undefined) {
      w = new DeadlineClient(client, this.#opts.timeoutMs, (err) => this.#fail(err));
      this.#wrapped.set(client, w);
    }
    return w;
  }

  /**
   * `select 1` on a pooled connection, all within `timeoutMs` (readiness probes use a deadline much
   * shorter than the statements'). A connection that arrives after the deadline goes back to the pool.
   */
  ping(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let client: pg.PoolClient | undefined;
      const timer = setTimeout(() => {
        settled = true;
        // Destroyed rather than reused: its `select 1` may still be on the wire.
        client?.release(true);
        reject(this.#timeout(timeoutMs));
      }, timeoutMs);
      const settle = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === undefined) resolve();
        else reject(err instanceof KeywayError ? err : this.#fail(err));
      };
      this.#pool.connect().then(
        (c) => {
          if (settled) {
            c.release();
            return;
          }
          client = c;
          c.query('select 1').then(
            () => {
              if (settled) return;
              c.release();
              settle();
            },
            (err: unknown) => {
              if (settled) return;
              c.release(true);
              settle(err);
            },
          );
        },
        (err: unknown) => settle(err),
      );
    });
  }

  async end(): Promise<void> {
    await this.#pool.end();
  }

  #timeout(ms: number): KeywayError {
    return this.#opts.unavailable(new Error(`no answer within ${ms} ms (the statement was abandoned)`));
  }

  #fail(err: unknown): Error {
    if (err instanceof KeywayError || isStatementError(err)) return err as Error;
    return this.#opts.unavailable(err);
  }
}

class DeadlineClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #timeoutMs: number;
  readonly #fail: (err: unknown) => Error;
  /** A statement timed out on this connection: it must not go back to the pool. */
  #broken = false;

  constructor(client: pg.PoolClient, timeoutMs: number, fail: (err: unknown) => Error) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#fail = fail;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      // Keyway configures no cursor (nothing streams from the store); Kysely refuses streaming without one.
      throw new Error('streaming queries are not supported');
    }
    const work = this.#client.query(sqlOrCursor, parameters as unknown[]) as unknown as Promise<
      PostgresQueryResult<R>
    >;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#broken = true;
        // With a statement in flight, pg's end() destroys the socket rather than waiting for it.
        this.#client.end().catch(() => undefined);
        reject(this.#fail(new Error(`no answer within ${this.#timeoutMs} ms (the statement was abandoned)`)));
      }, this.#timeoutMs);
      work.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(this.#fail(err));
        },
      );
    });
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy === true || this.#broken);
  }
}
