/**
 * The store contract: what the admin API, the declarative `apply` and the snapshot loader need from
 * persistence. Two implementations share one Kysely code path: SQLite (embedded default, better-sqlite3)
 * and PostgreSQL (`KEYWAY_DATABASE_URL=postgres://…`).
 *
 * Every write happens inside `transaction()`, which also bumps the config version and appends audit rows,
 * so a node that sees version N sees every change up to N and nothing half-written.
 */
import type { ConfigState, ResourceKind, ResourceTypes, Stored, WorkspaceState } from '../model/index.js';

export type Dialect = 'sqlite' | 'postgres';

export interface LoadAllOptions {
  /** Awaited between pages (the data plane gives its event loop a turn there). */
  pause?: () => Promise<void>;
}

/** One resource a config change touched, as it is now (`resource` undefined: deleted). */
export interface ConfigChange {
  kind: ResourceKind;
  /** The workspace's name. */
  workspace: string;
  id: string;
  resource: Stored<ResourceKind> | undefined;
}

/** What changed from version `from` to `version` (src/store/changes.ts). */
export interface ConfigDelta {
  from: number;
  version: number;
  /** Each touched resource once, in no particular order. */
  changes: ConfigChange[];
}

export interface ListQuery {
  /** 1..1000, default 100. */
  limit?: number;
  /** Opaque cursor returned as `next` by the previous page (an offset, encoded as a string). */
  after?: string;
  /** Exact key (name / username / plugin key). */
  name?: string;
  /** Resources carrying this tag. */
  tag?: string;
}

export interface Page<T> {
  data: T[];
  /** Cursor for the next page, or null on the last one. */
  next: string | null;
  total: number;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: 'create' | 'update' | 'delete' | 'apply';
  workspace: string;
  kind: string;
  key: string;
  /** The resource before and after, as JSON (secrets never reach the store in clear). */
  before: unknown;
  after: unknown;
}

export interface StoredWorkspace {
  id: string;
  name: string;
  description?: string;
  tags?: string[];
  created_at: string;
  updated_at: string;
}

/** An API key as stored: everything but the key itself (only its hash). */
export interface StoredApiKey {
  id: string;
  workspace: string;
  app_id: string;
  /** HMAC-SHA-256 of the key under the server secret (hex). Never leaves the node in an answer. */
  hash: string;
  visible_id: string;
  env: 'live' | 'test';
  source: 'generated' | 'imported';
  status: 'active' | 'revoked';
  /** Undefined: the app's scopes. */
  scopes?: string[];
  metadata?: Record<string, unknown>;
  tier?: string;
  expires_at?: string;
  created_at: string;
  revoked_at?: string;
  /** Set on a rotated key: the key that replaced it. */
  replaced_by?: string;
  /** Set on a rotated key: it stops working at this time. */
  grace_until?: string;
  last_used_at?: string;
}

/** A key to insert: the stored fields Keyway does not manage itself. */
export type NewApiKey = Omit<
  StoredApiKey,
  'status' | 'revoked_at' | 'replaced_by' | 'grace_until' | 'last_used_at' | 'created_at'
>;

export interface ApiKeyListQuery {
  /** Only this app's keys (by id). */
  app_id?: string;
  limit?: number;
  after?: string;
}

/** Operations available inside one transaction. All take the workspace by name. */
export interface StoreTx {
  listWorkspaces(): Promise<StoredWorkspace[]>;
  getWorkspace(name: string): Promise<StoredWorkspace | undefined>;
  createWorkspace(ws: { name: string; description?: string; tags?: string[] }): Promise<StoredWorkspace>;
  updateWorkspace(
    name: string,
    ws: { name: string; description?: string; tags?: string[] },
  ): Promise<StoredWorkspace>;
  /** Deletes the workspace and everything in it. */
  deleteWorkspace(name: string): Promise<void>;

  /** By key (name/username/plugin key) or by id. */
  get<K extends ResourceKind>(kind: K, workspace: string, idOrKey: string): Promise<Stored<K> | undefined>;
  list<K extends ResourceKind>(kind: K, workspace: string, query?: ListQuery): Promise<Page<Stored<K>>>;
  create<K extends ResourceKind>(
    kind: K,
    workspace: string,
    resource: ResourceTypes[K],
    id?: string,
  ): Promise<Stored<K>>;
  /** Replaces the resource's fields (keeps id and created_at). Throws KW_ERR_NOT_FOUND when absent. */
  update<K extends ResourceKind>(
    kind: K,
    workspace: string,
    id: string,
    resource: ResourceTypes[K],
  ): Promise<Stored<K>>;
  delete(kind: ResourceKind, workspace: string, id: string): Promise<void>;

  /** Full state of one workspace, every kind, sorted by key. */
  loadWorkspace(name: string): Promise<WorkspaceState | undefined>;
  /** Everything, as `Store.loadAll` (used to check a change against the whole configuration). */
  loadAll(): Promise<ConfigState>;

  audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;
  /** API keys inside a config transaction (declarative import); never bumps the config version. */
  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined>;
  insertApiKey(key: NewApiKey): Promise<StoredApiKey>;
  /** Keys not revoked, per app id: what deleting those apps would take with them. */
  countLiveApiKeys(appIds: string[]): Promise<Map<string, number>>;
  /** The version as this transaction sees it (before its own bump). */
  configVersion(): Promise<number>;
}

export interface Store {
  readonly dialect: Dialect;
  /** Runs pending migrations (idempotent; safe with several nodes starting at once). */
  migrate(): Promise<void>;
  /**
   * Cheap round trip, getting a connection included, within `timeoutMs` (default: the store deadline);
   * rejects with KW_ERR_STORE_UNAVAILABLE. Concurrent pings share one round trip.
   */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;

  /** Monotonic counter bumped by every committed transaction that changed something. */
  configVersion(): Promise<number>;
  /**
   * Everything, at one consistent version: what the data plane compiles its snapshot from. With `pause`,
   * read in pages with `await pause()` before each, so a reload beside live traffic is many short tasks.
   */
  loadAll(opts?: LoadAllOptions): Promise<ConfigState>;
  /**
   * The config change feed: the resources changed after version `since`, as they are at the current
   * version, or `undefined` when the feed cannot tell (a gap, a workspace changed, a very large write):
   * then load everything. Optional: a store without it is always loaded whole.
   */
  changesSince?(since: number): Promise<ConfigDelta | undefined>;

  /**
   * Runs `fn` in one database transaction. If `fn` throws, nothing it did is kept. If it wrote anything,
   * the config version is incremented once at commit.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** As `transaction`, and also tells the version the commit produced (undefined when nothing was written). */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<{ result: T; version: number | undefined }>;
  /**
   * Runs `fn` in a transaction that is always rolled back: a consistent view for readers, and a scratch
   * space for dry runs (anything `fn` writes is discarded, the version never moves).
   */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;

  listAudit(query: { workspace?: string; limit?: number; after?: string }): Promise<Page<AuditEntry>>;

  // --- API keys (not configuration: none of these bumps the config version) ---------------------
  /** Inserts keys (one, or a batch import) in one transaction, with one audit row each. */
  createApiKeys(keys: NewApiKey[], actor: string): Promise<StoredApiKey[]>;
  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined>;
  getApiKey(workspace: string, id: string): Promise<StoredApiKey | undefined>;
  listApiKeys(workspace: string, query?: ApiKeyListQuery): Promise<Page<StoredApiKey>>;
  /** Revokes at once; KW_ERR_NOT_FOUND when absent. Idempotent on an already revoked key. */
  revokeApiKey(workspace: string, id: string, actor: string): Promise<StoredApiKey>;
  /** Inserts `next` and lets the old key work until `graceUntil`. */
  rotateApiKey(
    workspace: string,
    id: string,
    next: NewApiKey,
    graceUntil: string,
    actor: string,
  ): Promise<{ previous: StoredApiKey; current: StoredApiKey }>;
  /** Records uses in one statement per batch; called off the request path. */
  touchApiKeysLastUsed(uses: ReadonlyArray<{ id: string; at: string }>): Promise<void>;
  /**
   * Hashes of keys changed after `cursor` (the feed other nodes evict from), their feed ids, and the new
   * cursor.
   */
  apiKeyChangesSince(cursor: number): Promise<{ cursor: number; hashes: string[]; ids: number[] }>;
  /** Up to `limit` key hashes greater than `after`, ascending (a node loads its key filter with them). */
  apiKeyHashesAfter(after: string, limit: number): Promise<string[]>;
  /** Stores `value` under `name` unless a value is there; returns the stored one (first writer wins). */
  ensureSetting(name: string, value: string): Promise<string>;

  /** Admin tokens: only a hash is stored. */
  addAdminToken(name: string, tokenHash: string): Promise<void>;
  hasAdminTokens(): Promise<boolean>;
  findAdminToken(tokenHash: string): Promise<{ name: string } | undefined>;
}
