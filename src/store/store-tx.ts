/**
 * The operations of one store transaction (`StoreTx`), over any Kysely handle: a controlled transaction
 * for `Store.transaction`/`Store.read`. It remembers whether it wrote, so the store bumps the config
 * version once at commit and only when something changed.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { KeywayError, validationError } from '../core/errors.js';
import {
  KINDS,
  RESOURCE_KINDS,
  type ConfigState,
  type ResourceKind,
  type ResourceTypes,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import {
  conflict,
  emptyState,
  parseCursor,
  pushRows,
  rethrowUnique,
  table,
  tagsOf,
  toResource,
  toWorkspace,
  workspaceData,
} from './rows.js';
import type {
  AuditEntry,
  Dialect,
  ListQuery,
  NewApiKey,
  NewHistoryEntry,
  Page,
  StoredApiKey,
  StoredWorkspace,
  StoreTx,
} from './types.js';
import { auditView, findByHash, insertKey, recordChange } from './api-keys.js';
import { insertHistory, type HistoryOp } from './config-history.js';
import { VERSION_ROW_ID, type Database, type ResourceTable, type WorkspaceTable } from './schema.js';

/** A resource a transaction wrote (created, updated or deleted). */
export interface Touched {
  kind: ResourceKind;
  workspaceId: string;
  id: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export class SqlStoreTx implements StoreTx {
  /** True once anything but an audit row was written: the store then bumps the version at commit. */
  wrote = false;
  readonly #audited: Array<Pick<AuditEntry, 'workspace' | 'actor' | 'action' | 'kind' | 'key'>> = [];
  /** What this transaction wrote, for the change feed (src/store/changes.ts): `kind id` → the row's place. */
  readonly touched = new Map<string, Touched>();
  /** A workspace itself was created, renamed or deleted: readers of the feed load everything. */
  touchedWorkspace = false;
  readonly #db: Kysely<Database>;
  readonly #dialect: Dialect;

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  // --- workspaces ------------------------------------------------------------------------------

  async listWorkspaces(): Promise<StoredWorkspace[]> {
    const rows = await this.#db.selectFrom('workspaces').selectAll().orderBy('name').execute();
    return rows.map(toWorkspace);
  }

  async getWorkspace(name: string): Promise<StoredWorkspace | undefined> {
    const row = await this.#db
      .selectFrom('workspaces')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : toWorkspace(row);
  }

  async createWorkspace(ws: {
    name: string;
    description?: string;
    tags?: string[];
  }): Promise<StoredWorkspace> {
    if ((await this.getWorkspace(ws.name)) !== undefined)
      throw conflict(`workspace "${ws.name}" already exists`);
    const now = new Date().toISOString();
    const row: WorkspaceTable = {
      id: randomUUID(),
      name: ws.name,
      data: workspaceData(ws),
      created_at: now,
      updated_at: now,
    };
    await this.#db.insertInto('workspaces').values(row).execute();
    this.wrote = true;
    this.touchedWorkspace = true;
    return toWorkspace(row);
  }

  async updateWorkspace(
    name: string,
    ws: { name: string; description?: string; tags?: string[] },
  ): Promise<StoredWorkspace> {
    const current = await this.#requireWorkspace(name);
    if (ws.name !== name && (await this.getWorkspace(ws.name)) !== undefined) {
      throw conflict(`workspace "${ws.name}" already exists`);
    }
    const row: WorkspaceTable = {
      id: current.id,
      name: ws.name,
      data: workspaceData(ws),
      created_at: current.created_at,
      updated_at: new Date().toISOString(),
    };
    await this.#db
      .updateTable('workspaces')
      .set({ name: row.name, data: row.data, updated_at: row.updated_at })
      .where('id', '=', row.id)
      .execute();
    this.wrote = true;
    this.touchedWorkspace = true;
    return toWorkspace(row);
  }

  async deleteWorkspace(name: string): Promise<void> {
    const ws = await this.#requireWorkspace(name);
    // Resource rows go with it through ON DELETE CASCADE.
    await this.#db.deleteFrom('workspaces').where('id', '=', ws.id).execute();
    this.wrote = true;
    this.touchedWorkspace = true;
  }

  // --- resources -------------------------------------------------------------------------------

  async get<K extends ResourceKind>(
    kind: K,
    workspace: string,
    idOrKey: string,
  ): Promise<Stored<K> | undefined> {
    const ws = await this.getWorkspace(workspace);
    if (ws === undefined) return undefined;
    const row = await this.#findRow(kind, ws.id, idOrKey);
    return row === undefined ? undefined : toResource<K>(row);
  }

  async list<K extends ResourceKind>(
    kind: K,
    workspace: string,
    query: ListQuery = {},
  ): Promise<Page<Stored<K>>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw validationError([{ path: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` }]);
    }
    const offset = parseCursor(query.after);
    const ws = await this.#requireWorkspace(workspace);
    let q = this.#db.selectFrom(table(kind)).where('workspace_id', '=', ws.id);
    if (query.name !== undefined) q = q.where('key', '=', query.name);
    if (query.tag !== undefined) {
      // Tags are stored as compact JSON arrays, so `"tag"` (quotes included) occurs in the text exactly
      // when the tag is an element. instr/strpos are case-sensitive on both dialects, unlike SQLite's LIKE.
      const needle = JSON.stringify(query.tag);
      const fn = this.#dialect === 'postgres' ? sql`strpos(tags, ${needle})` : sql`instr(tags, ${needle})`;
      q = q.where(sql<boolean>`${fn} > 0`);
    }
    const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const total = Number(counted?.n ?? 0);
    const rows = await q.selectAll().orderBy('key').limit(limit).offset(offset).execute();
    const end = offset + rows.length;
    return { data: rows.map((r) => toResource<K>(r)), next: end < total ? String(end) : null, total };
  }

  async create<K extends ResourceKind>(
    kind: K,
    workspace: string,
    resource: ResourceTypes[K],
    id?: string,
  ): Promise<Stored<K>> {
    const ws = await this.#requireWorkspace(workspace);
    const key = KINDS[kind].key(resource);
    // Checked before the insert: a failed statement would abort the whole PostgreSQL transaction.
    if ((await this.#findRow(kind, ws.id, key, true)) !== undefined) {
      throw conflict(`${KINDS[kind].singular} "${key}" already exists in workspace "${workspace}"`);
    }
    const now = new Date().toISOString();
    const row: ResourceTable = {
      id: id ?? randomUUID(),
      workspace_id: ws.id,
      key,
      tags: JSON.stringify(tagsOf(resource)),
      data: JSON.stringify(resource),
      created_at: now,
      updated_at: now,
    };
    await this.#db.insertInto(table(kind)).values(row).execute().catch(rethrowUnique(kind, key));
    this.#touch(kind, ws.id, row.id);
    return toResource<K>(row);
  }

  async update<K extends ResourceKind>(
    kind: K,
    workspace: string,
    id: string,
    resource: ResourceTypes[K],
  ): Promise<Stored<K>> {
    const ws = await this.#requireWorkspace(workspace);
    const current = await this.#db
      .selectFrom(table(kind))
      .selectAll()
      .where('workspace_id', '=', ws.id)
      .where('id', '=', id)
      .executeTakeFirst();
    if (current === undefined)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: KINDS[kind].singular, name: id });
    const key = KINDS[kind].key(resource);
    if (key !== current.key && (await this.#findRow(kind, ws.id, key, true)) !== undefined) {
      throw conflict(`${KINDS[kind].singular} "${key}" already exists in workspace "${workspace}"`);
    }
    const row: ResourceTable = {
      ...current,
      key,
      tags: JSON.stringify(tagsOf(resource)),
      data: JSON.stringify(resource),
      updated_at: new Date().toISOString(),
    };
    await this.#db
      .updateTable(table(kind))
      .set({ key: row.key, tags: row.tags, data: row.data, updated_at: row.updated_at })
      .where('id', '=', id)
      .execute()
      .catch(rethrowUnique(kind, key));
    this.#touch(kind, ws.id, id);
    return toResource<K>(row);
  }

  async delete(kind: ResourceKind, workspace: string, id: string): Promise<void> {
    const ws = await this.#requireWorkspace(workspace);
    const res = await this.#db
      .deleteFrom(table(kind))
      .where('workspace_id', '=', ws.id)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: KINDS[kind].singular, name: id });
    this.#touch(kind, ws.id, id);
  }

  // --- whole state -----------------------------------------------------------------------------

  async loadWorkspace(name: string): Promise<WorkspaceState | undefined> {
    const ws = await this.getWorkspace(name);
    if (ws === undefined) return undefined;
    const state = emptyState(ws);
    for (const kind of RESOURCE_KINDS) {
      const rows = await this.#db
        .selectFrom(table(kind))
        .selectAll()
        .where('workspace_id', '=', ws.id)
        .orderBy('key')
        .execute();
      pushRows(state, kind, rows);
    }
    return state;
  }

  async loadAll(): Promise<ConfigState> {
    const version = await this.configVersion();
    const workspaces = await this.listWorkspaces();
    const byId = new Map(workspaces.map((ws) => [ws.id, emptyState(ws)]));
    // One query per kind rather than per workspace: a snapshot load stays at seven round trips.
    for (const kind of RESOURCE_KINDS) {
      const rows = await this.#db
        .selectFrom(table(kind))
        .selectAll()
        .orderBy('workspace_id')
        .orderBy('key')
        .execute();
      for (const row of rows) {
        const state = byId.get(row.workspace_id);
        if (state !== undefined) pushRows(state, kind, [row]);
      }
    }
    return { version, workspaces: [...byId.values()] };
  }

  async configVersion(): Promise<number> {
    const row = await this.#db
      .selectFrom('config_version')
      .select('version')
      .where('id', '=', VERSION_ROW_ID)
      .executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  audited(): ReadonlyArray<Pick<AuditEntry, 'workspace' | 'actor' | 'action' | 'kind' | 'key'>> {
    return this.#audited;
  }

  async recordHistory(entry: NewHistoryEntry, keep: number): Promise<void> {
    await insertHistory(this.#db, entry, keep, {
      delta: () => this.#historyDelta(entry.workspace),
      state: () => this.loadWorkspace(entry.workspace),
    });
  }

  /** The resources this transaction wrote in `workspace`, as they are now (null: deleted). */
  async #historyDelta(workspace: string): Promise<HistoryOp[] | undefined> {
    if (this.touchedWorkspace) return undefined;
    const ws = await this.getWorkspace(workspace);
    if (ws === undefined) return undefined;
    const ops: HistoryOp[] = [];
    for (const t of this.touched.values()) {
      if (t.workspaceId !== ws.id) continue;
      const row = await this.#db
        .selectFrom(table(t.kind))
        .selectAll()
        .where('id', '=', t.id)
        .executeTakeFirst();
      ops.push({ kind: t.kind, id: t.id, value: row === undefined ? null : toResource(row) });
    }
    return ops;
  }

  /** Callers pass redacted views (src/control/resource-view.ts); `auditJson` is the last line of defence. */
  async audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    const { workspace, actor, action, kind, key } = entry;
    this.#audited.push({ workspace, actor, action, kind, key });
    await this.#db
      .insertInto('audit_log')
      .values({
        at: new Date().toISOString(),
        actor: entry.actor,
        action: entry.action,
        workspace: entry.workspace,
        kind: entry.kind,
        key: entry.key,
        before: entry.before === undefined || entry.before === null ? null : auditJson(entry.before),
        after: entry.after === undefined || entry.after === null ? null : auditJson(entry.after),
      })
      .execute();
  }

  // --- API keys (declarative import) ------------------------------------------------------------

  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined> {
    return findByHash(this.#db, hash);
  }

  async insertApiKey(key: NewApiKey): Promise<StoredApiKey> {
    // Not `wrote`: keys are not configuration, so they never bump the config version on their own.
    const created = await insertKey(this.#db, key);
    await recordChange(this.#db, created.hash);
    return created;
  }

  async countLiveApiKeys(appIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (appIds.length === 0) return out;
    const rows = await this.#db
      .selectFrom('api_keys')
      .select((eb) => ['app_id', eb.fn.countAll().as('n')])
      .where('app_id', 'in', appIds)
      .where('status', '=', 'active')
      .groupBy('app_id')
      .execute();
    for (const r of rows) out.set(r.app_id, Number(r.n));
    return out;
  }

  /** The audit view of a key (no hash), for callers writing their own audit rows. */
  static auditView(key: StoredApiKey): Omit<StoredApiKey, 'hash'> {
    return auditView(key);
  }

  // --- helpers ---------------------------------------------------------------------------------

  #touch(kind: ResourceKind, workspaceId: string, id: string): void {
    this.wrote = true;
    this.touched.set(`${kind} ${id}`, { kind, workspaceId, id });
  }

  async #requireWorkspace(name: string): Promise<StoredWorkspace> {
    const ws = await this.getWorkspace(name);
    if (ws === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name });
    return ws;
  }

  /** An id wins over a key that happens to look like one. */
  async #findRow(
    kind: ResourceKind,
    workspaceId: string,
    idOrKey: string,
    keyOnly = false,
  ): Promise<ResourceTable | undefined> {
    const rows = await this.#db
      .selectFrom(table(kind))
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        keyOnly ? eb('key', '=', idOrKey) : eb.or([eb('id', '=', idOrKey), eb('key', '=', idOrKey)]),
      )
      .execute();
    return rows.find((r) => !keyOnly && r.id === idOrKey) ?? rows[0];
  }
}

/**
 * An audit row's JSON. A sealed secret (`secret_enc`) never belongs in the audit log, whoever forgot to
 * redact it: the key is dropped here, so a row cannot carry one even through a new code path.
 */
function auditJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'secret_enc' ? undefined : v));
}
