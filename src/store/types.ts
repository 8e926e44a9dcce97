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
  /** What this transaction audited so far, in order: the workspaces it changed, and who changed them. */
  audited(): ReadonlyArray<Pick<AuditEntry, 'workspace' | 'actor' | 'action' | 'kind' | 'key'>>;
  /** Keeps a workspace's document for the version this transaction commits as; the oldest beyond `keep` go. */
  recordHistory(entry: NewHistoryEntry, keep: number): Promise<void>;
}

/**
 * A version of one workspace's configuration. Only when one version is asked for: its `state` (the
 * workspace as stored, rebuilt from a keyframe and deltas; the control layer makes the document of it),
 * or, for a version kept before deltas, its `document` as it was kept.
 */
export interface HistoryEntry {
  workspace: string;
  version: number;
  at: string;
  actor: string;
  summary: string;
  state?: WorkspaceState;
  document?: unknown;
}

/** What the store needs to keep a version; what the version holds, it takes from the transaction. */
export interface NewHistoryEntry {
  workspace: string;
  version: number;
  actor: string;
  summary: string;
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
  /** A workspace's kept versions, newest first, without their documents. */
  listHistory(workspace: string, query: { limit: number; after?: number }): Promise<Page<HistoryEntry>>;
  /** One kept version with its document, or undefined. */
  getHistory(workspace: string, version: number): Promise<HistoryEntry | undefined>;

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
  /** Admin users, their grants, tokens and login state (src/store/admin-users.ts). */
  readonly admins: AdminUserStore;
}

/** One role on one workspace (`*`: every workspace). Roles are checked by the admin API, not here. */
export interface AdminGrant {
  workspace: string;
  role: string;
}

export interface StoredAdminUser {
  id: string;
  name: string;
  grants: AdminGrant[];
  /** The user can log in with a password (the hash itself never leaves the store). */
  password: boolean;
  /** Set while a lockout after failed logins lasts (or lasted: compare with the clock). */
  locked_until?: string;
  /** True while the user is disabled (tokens answer 401, no password login). */
  disabled?: boolean;
  created_at: string;
  updated_at: string;
}

export interface StoredAdminToken {
  id: string;
  name: string;
  /** The user it belongs to; absent for the bootstrap token. */
  user?: string;
  kind: 'token' | 'session';
  created_at: string;
  expires_at?: string;
  revoked_at?: string;
}

export interface NewAdminToken {
  name: string;
  /** SHA-256 of the token (hex). */
  hash: string;
  kind: 'token' | 'session';
  created_at: string;
  expires_at?: string;
}

/** A token found by its hash: the caller checks expiry and revocation on its own clock. */
export interface AdminTokenMatch {
  id: string;
  name: string;
  user?: StoredAdminUser;
  expires_at?: string;
  revoked_at?: string;
}

export interface AdminLogin {
  user: StoredAdminUser;
  password_hash: string | null;
  failed_logins: number;
  locked_until: string | null;
}

export interface AdminUserStore {
  list(): Promise<StoredAdminUser[]>;
  /** KW_ERR_NOT_FOUND when absent. */
  get(name: string): Promise<StoredAdminUser>;
  create(
    user: { name: string; grants: AdminGrant[]; password_hash?: string },
    actor: string,
  ): Promise<StoredAdminUser>;
  update(
    name: string,
    change: { grants?: AdminGrant[]; password_hash?: string | null; disabled?: boolean },
    actor: string,
  ): Promise<StoredAdminUser>;
  /** Deletes the user with every token and session of theirs. */
  delete(name: string, actor: string): Promise<void>;
  /** What a password login checks; undefined when there is no such user. */
  login(name: string): Promise<AdminLogin | undefined>;
  setLoginState(name: string, failed: number, lockedUntil: string | null): Promise<void>;
  addToken(user: string, token: NewAdminToken, actor: string): Promise<StoredAdminToken>;
  listTokens(user: string): Promise<StoredAdminToken[]>;
  revokeToken(user: string, id: string, actor: string): Promise<StoredAdminToken>;
  findToken(hash: string): Promise<AdminTokenMatch | undefined>;
}
