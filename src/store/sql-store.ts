/**
 * The `Store` over Kysely, for both dialects. Transactions are Kysely controlled transactions so the
 * version bump can be added just before commit, and `read` can always roll back.
 */
import { randomUUID } from 'node:crypto';
import { sql, type ControlledTransaction } from 'kysely';
import { KeywayError, validationError } from '../core/errors.js';
import type { ConfigState } from '../model/index.js';
import { unavailable, type Connection } from './connection.js';
import { runMigrations } from './migrate.js';
import { VERSION_ROW_ID, type Database } from './schema.js';
import { DEFAULT_LIMIT, MAX_LIMIT, SqlStoreTx } from './store-tx.js';
import type { AuditEntry, Dialect, Page, Store, StoreTx } from './types.js';

export class SqlStore implements Store {
  readonly #conn: Connection;
  readonly #password: string | undefined;

  constructor(conn: Connection, password?: string) {
    this.#conn = conn;
    this.#password = password;
  }

  get dialect(): Dialect {
    return this.#conn.dialect;
  }

  async migrate(): Promise<void> {
    try {
      await runMigrations(this.#conn);
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  async ping(): Promise<void> {
    try {
      await sql`select 1`.execute(this.#conn.db);
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  async close(): Promise<void> {
    await this.#conn.db.destroy();
  }

  /** One primary-key lookup: every node polls this each second. */
  async configVersion(): Promise<number> {
    try {
      const row = await this.#conn.db
        .selectFrom('config_version')
        .select('version')
        .where('id', '=', VERSION_ROW_ID)
        .executeTakeFirst();
      return Number(row?.version ?? 0);
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  loadAll(): Promise<ConfigState> {
    return this.read((tx) => tx.loadAll());
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return (await this.write(fn)).result;
  }

  async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<{ result: T; version: number | undefined }> {
    const trx = await this.#begin(false);
    try {
      if (this.dialect === 'postgres') {
        // Writers take turns: reference and collision checks look at the whole configuration, and two
        // concurrent changes each valid alone (a route added, its service deleted) must not both commit.
        // SQLite needs nothing here: its one connection already serializes transactions.
        await sql`select version from config_version where id = ${VERSION_ROW_ID} for update`.execute(trx);
      }
      const tx = new SqlStoreTx(trx, this.dialect);
      const result = await fn(tx);
      let version: number | undefined;
      if (tx.wrote) {
        const row = await trx
          .updateTable('config_version')
          .set((eb) => ({ version: eb('version', '+', 1) }))
          .where('id', '=', VERSION_ROW_ID)
          .returning('version')
          .executeTakeFirstOrThrow();
        version = Number(row.version);
      }
      await trx.commit().execute();
      return { result, version };
    } catch (err) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw err;
    }
  }

  async read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const trx = await this.#begin(true);
    try {
      return await fn(new SqlStoreTx(trx, this.dialect));
    } finally {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
    }
  }

  async listAudit(query: { workspace?: string; limit?: number; after?: string }): Promise<Page<AuditEntry>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw validationError([{ path: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` }]);
    }
    if (query.after !== undefined && !/^[0-9]{1,9}$/.test(query.after)) {
      throw validationError([{ path: 'after', message: 'is not a valid cursor' }]);
    }
    const offset = query.after === undefined ? 0 : Number(query.after);
    let q = this.#conn.db.selectFrom('audit_log');
    if (query.workspace !== undefined) q = q.where('workspace', '=', query.workspace);
    const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const total = Number(counted?.n ?? 0);
    // Newest first: the audit log is read to find out what just happened.
    const rows = await q.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
    const data: AuditEntry[] = rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      action: r.action as AuditEntry['action'],
      workspace: r.workspace,
      kind: r.kind,
      key: r.key,
      before: r.before === null ? null : (JSON.parse(r.before) as unknown),
      after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    }));
    const end = offset + rows.length;
    return { data, next: end < total ? String(end) : null, total };
  }

  async addAdminToken(name: string, tokenHash: string): Promise<void> {
    const existing = await this.#conn.db
      .selectFrom('admin_tokens')
      .select('id')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    // The message names the token by its name only: the hash is as sensitive as the token for lookups.
    if (existing !== undefined)
      throw new KeywayError('KW_ERR_CONFLICT', { reason: `admin token "${name}" already exists` });
    await this.#conn.db
      .insertInto('admin_tokens')
      .values({ id: randomUUID(), name, token_hash: tokenHash, created_at: new Date().toISOString() })
      .execute();
  }

  async hasAdminTokens(): Promise<boolean> {
    const row = await this.#conn.db.selectFrom('admin_tokens').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async findAdminToken(tokenHash: string): Promise<{ name: string } | undefined> {
    const row = await this.#conn.db
      .selectFrom('admin_tokens')
      .select('name')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : { name: row.name };
  }

  async #begin(readOnly: boolean): Promise<ControlledTransaction<Database>> {
    try {
      let builder = this.#conn.db.startTransaction();
      // A reader sees one consistent version across its several queries.
      if (readOnly && this.dialect === 'postgres') builder = builder.setIsolationLevel('repeatable read');
      return await builder.execute();
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  #unavailable(err: unknown): KeywayError {
    return unavailable(this.#conn.location, err, this.#password);
  }
}
