/**
 * The `Store` over Kysely, for both dialects. Transactions are Kysely controlled transactions so the
 * version bump can be added just before commit, and `read` can always roll back.
 */
import { randomUUID } from 'node:crypto';
import { sql, type ControlledTransaction, type Kysely } from 'kysely';
import { KeywayError, validationError } from '../core/errors.js';
import type { ConfigState } from '../model/index.js';
import { DEFAULT_STORE_TIMEOUT_MS, unavailable, type Connection } from './connection.js';
import { isOutage } from './failures.js';
import { runMigrations } from './migrate.js';
import { loadAllPaged } from './paged-load.js';
import { readChanges, recordChanges } from './changes.js';
import { VERSION_ROW_ID, type Database } from './schema.js';
import { adminUserStore } from './admin-users.js';
import { portalStore, type PortalStore } from './portal.js';
import { getHistory, listHistory } from './config-history.js';
import { DEFAULT_LIMIT, MAX_LIMIT, SqlStoreTx } from './store-tx.js';
import {
  auditView,
  findByHash,
  getKey,
  hashesAfter,
  insertKey,
  listKeys,
  recordChange,
  requireKey,
} from './api-keys.js';
import type {
  ApiKeyListQuery,
  AuditEntry,
  ConfigDelta,
  Dialect,
  LoadAllOptions,
  NewApiKey,
  AdminUserStore,
  HistoryEntry,
  Page,
  Store,
  StoredApiKey,
  StoreTx,
} from './types.js';

/** Most change-feed rows one poll reads; a burst larger than this is read over the next polls. */
const CHANGE_FEED_BATCH = 1000;

export class SqlStore implements Store {
  readonly #conn: Connection;
  readonly #password: string | undefined;
  readonly #timeoutMs: number;
  readonly #pinging = new Map<number, Promise<void>>();
  /** Where paged loads read (SQLite: a second, read-only connection); the main handle when absent. */
  readonly #reader: Kysely<Database> | undefined;

  constructor(
    conn: Connection,
    password?: string,
    timeoutMs = DEFAULT_STORE_TIMEOUT_MS,
    reader?: Kysely<Database>,
  ) {
    this.#conn = conn;
    this.#password = password;
    this.#timeoutMs = timeoutMs;
    this.#reader = reader;
  }

  readonly admins: AdminUserStore = adminUserStore((fn, write) => this.#keys(fn, write));
  readonly portal: PortalStore = portalStore((fn, write) => this.#keys(fn, write));

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

  ping(timeoutMs = this.#timeoutMs): Promise<void> {
    // Probes arriving together (a load balancer, `/status`, a metrics scrape) share one round trip.
    let p = this.#pinging.get(timeoutMs);
    if (p === undefined) {
      p = this.#conn.ping(timeoutMs).finally(() => this.#pinging.delete(timeoutMs));
      this.#pinging.set(timeoutMs, p);
    }
    return p;
  }

  async close(): Promise<void> {
    // Closing ends idle sessions politely, which waits for the server's goodbye: a black-holed server
    // would hold a stopping node forever. Whatever is left past the deadline dies with the process.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all([this.#conn.db.destroy(), this.#reader?.destroy()]), deadline]);
    clearTimeout(timer);
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

  loadAll(opts: LoadAllOptions = {}): Promise<ConfigState> {
    const pause = opts.pause;
    if (pause === undefined) return this.read((tx) => tx.loadAll());
    return this.#readOn(this.#reader ?? this.#conn.db, (trx) =>
      loadAllPaged(trx, new SqlStoreTx(trx, this.dialect), pause),
    );
  }

  changesSince(since: number): Promise<ConfigDelta | undefined> {
    return this.#readOn(this.#reader ?? this.#conn.db, (trx) =>
      readChanges(trx, new SqlStoreTx(trx, this.dialect), since),
    );
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
        await recordChanges(trx, tx, version);
      }
      await trx.commit().execute();
      return { result, version };
    } catch (err) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw this.#failed(err);
    }
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.#readOn(this.#conn.db, (trx) => fn(new SqlStoreTx(trx, this.dialect)));
  }

  /**
   * A transaction that is always rolled back, on `db`. The SQLite reader is a connection of its own: a
   * paged load that spans many event-loop turns then never holds the writers' connection.
   */
  async #readOn<T>(
    db: Kysely<Database>,
    fn: (trx: ControlledTransaction<Database>) => Promise<T>,
  ): Promise<T> {
    const trx = await this.#begin(true, db);
    try {
      return await fn(trx);
    } catch (err) {
      throw this.#failed(err);
    } finally {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
    }
  }

  listAudit(query: { workspace?: string; limit?: number; after?: string }): Promise<Page<AuditEntry>> {
    return this.#guard(this.#listAudit(query));
  }

  async #listAudit(query: { workspace?: string; limit?: number; after?: string }): Promise<Page<AuditEntry>> {
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

  // --- API keys ----------------------------------------------------------------------------------

  async createApiKeys(keys: NewApiKey[], actor: string): Promise<StoredApiKey[]> {
    return this.#keys(async (db) => {
      const out: StoredApiKey[] = [];
      for (const key of keys) {
        const created = await insertKey(db, key);
        // A key imported over one that a node cached as unknown must stop being "unknown" there.
        await recordChange(db, created.hash);
        await this.#auditKey(db, actor, 'create', created, null, created);
        out.push(created);
      }
      return out;
    });
  }

  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined> {
    return this.#keys((db) => findByHash(db, hash), false);
  }

  getApiKey(workspace: string, id: string): Promise<StoredApiKey | undefined> {
    return this.#keys((db) => getKey(db, workspace, id), false);
  }

  listApiKeys(workspace: string, query: ApiKeyListQuery = {}): Promise<Page<StoredApiKey>> {
    return this.#keys((db) => listKeys(db, workspace, query), false);
  }

  async revokeApiKey(workspace: string, id: string, actor: string): Promise<StoredApiKey> {
    return this.#keys(async (db) => {
      const before = await requireKey(db, workspace, id);
      if (before.status === 'revoked') return before;
      const at = new Date().toISOString();
      await db
        .updateTable('api_keys')
        .set({ status: 'revoked', revoked_at: at })
        .where('id', '=', id)
        .execute();
      await recordChange(db, before.hash);
      const after: StoredApiKey = { ...before, status: 'revoked', revoked_at: at };
      await this.#auditKey(db, actor, 'update', after, before, after);
      return after;
    });
  }

  async rotateApiKey(
    workspace: string,
    id: string,
    next: NewApiKey,
    graceUntil: string,
    actor: string,
  ): Promise<{ previous: StoredApiKey; current: StoredApiKey }> {
    return this.#keys(async (db) => {
      const before = await requireKey(db, workspace, id);
      if (before.status === 'revoked')
        throw new KeywayError('KW_ERR_CONFLICT', { reason: `key ${id} is revoked and cannot be rotated` });
      const current = await insertKey(db, next);
      // A key rotated twice keeps the earlier of its two deadlines: a rotation never extends a leak.
      const until =
        before.grace_until !== undefined && before.grace_until < graceUntil ? before.grace_until : graceUntil;
      await db
        .updateTable('api_keys')
        .set({ replaced_by: current.id, grace_until: until })
        .where('id', '=', id)
        .execute();
      await recordChange(db, before.hash);
      // The new key too: other nodes add it to their key filter from the feed (src/keys/key-filter.ts).
      await recordChange(db, current.hash);
      const previous: StoredApiKey = { ...before, replaced_by: current.id, grace_until: until };
      await this.#auditKey(db, actor, 'update', previous, before, previous);
      await this.#auditKey(db, actor, 'create', current, null, current);
      return { previous, current };
    });
  }

  async touchApiKeysLastUsed(uses: ReadonlyArray<{ id: string; at: string }>): Promise<void> {
    if (uses.length === 0) return;
    await this.#keys(async (db) => {
      for (const use of uses) {
        await db.updateTable('api_keys').set({ last_used_at: use.at }).where('id', '=', use.id).execute();
      }
    });
  }

  async apiKeyChangesSince(cursor: number): Promise<{ cursor: number; hashes: string[]; ids: number[] }> {
    const rows = await this.#keys(
      (db) =>
        db
          .selectFrom('api_key_changes')
          .select(['id', 'key_hash'])
          .where('id', '>', cursor)
          .orderBy('id')
          .limit(CHANGE_FEED_BATCH)
          .execute(),
      false,
    );
    const last = rows.at(-1);
    return {
      cursor: last === undefined ? cursor : Number(last.id),
      hashes: rows.map((r) => r.key_hash),
      ids: rows.map((r) => Number(r.id)),
    };
  }

  apiKeyHashesAfter(after: string, limit: number): Promise<string[]> {
    return this.#keys((db) => hashesAfter(db, after, limit), false);
  }

  async ensureSetting(name: string, value: string): Promise<string> {
    return this.#keys(async (db) => {
      // Insert-if-absent then read: several nodes starting at once all end up with the first value.
      await db
        .insertInto('keyway_settings')
        .values({ name, value })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('keyway_settings')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return row.value;
    });
  }

  /** Key statements run in their own transaction (writes) or straight on the pool (reads). */
  async #keys<T>(fn: (db: Kysely<Database>) => Promise<T>, write = true): Promise<T> {
    try {
      if (!write) return await fn(this.#conn.db);
      return await this.#conn.db.transaction().execute((trx) => fn(trx));
    } catch (err) {
      if (err instanceof KeywayError) throw err;
      throw this.#unavailable(err);
    }
  }

  async #auditKey(
    db: Kysely<Database>,
    actor: string,
    action: 'create' | 'update',
    key: StoredApiKey,
    before: StoredApiKey | null,
    after: StoredApiKey,
  ): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        at: new Date().toISOString(),
        actor,
        action,
        workspace: key.workspace,
        kind: 'api_keys',
        key: key.id,
        before: before === null ? null : JSON.stringify(auditView(before)),
        after: JSON.stringify(auditView(after)),
      })
      .execute();
  }

  listHistory(workspace: string, query: { limit: number; after?: number }): Promise<Page<HistoryEntry>> {
    return this.#keys((db) => listHistory(db, workspace, query), false);
  }

  getHistory(workspace: string, version: number): Promise<HistoryEntry | undefined> {
    return this.#keys((db) => getHistory(db, workspace, version), false);
  }

  addAdminToken(name: string, tokenHash: string): Promise<void> {
    return this.#guard(this.#addAdminToken(name, tokenHash));
  }

  async #addAdminToken(name: string, tokenHash: string): Promise<void> {
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
      .values({
        id: randomUUID(),
        name,
        token_hash: tokenHash,
        created_at: new Date().toISOString(),
        user_id: null,
        expires_at: null,
        revoked_at: null,
        kind: 'token',
      })
      .execute();
  }

  async hasAdminTokens(): Promise<boolean> {
    const row = await this.#guard(
      this.#conn.db.selectFrom('admin_tokens').select('id').limit(1).executeTakeFirst(),
    );
    return row !== undefined;
  }

  async findAdminToken(tokenHash: string): Promise<{ name: string } | undefined> {
    const row = await this.#guard(
      this.#conn.db
        .selectFrom('admin_tokens')
        .select('name')
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : { name: row.name };
  }

  async #begin(readOnly: boolean, db = this.#conn.db): Promise<ControlledTransaction<Database>> {
    try {
      let builder = db.startTransaction();
      // A reader sees one consistent version across its several queries.
      if (readOnly && this.dialect === 'postgres') builder = builder.setIsolationLevel('repeatable read');
      // SQLite: only writers take the write lock when they begin (see ImmediateSqliteDriver).
      if (readOnly && this.dialect === 'sqlite') builder = builder.setAccessMode('read only');
      return await builder.execute();
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  #unavailable(err: unknown): KeywayError {
    return unavailable(this.#conn.location, err, this.#password);
  }

  /**
   * An outage becomes KW_ERR_STORE_UNAVAILABLE (503: an admin write during one answered 500 with a stack
   * trace before); Keyway's own errors and statement errors go on as they are.
   */
  #failed(err: unknown): unknown {
    return !(err instanceof KeywayError) && isOutage(err) ? this.#unavailable(err) : err;
  }

  async #guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      throw this.#failed(err);
    }
  }
}
