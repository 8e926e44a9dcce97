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
  /** The version as this transaction sees it (before its own bump). */
  configVersion(): Promise<number>;
}

export interface Store {
  readonly dialect: Dialect;
  /** Runs pending migrations (idempotent; safe with several nodes starting at once). */
  migrate(): Promise<void>;
  /** Cheap round trip; rejects with KW_ERR_STORE_UNAVAILABLE. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Monotonic counter bumped by every committed transaction that changed something. */
  configVersion(): Promise<number>;
  /** Everything, at one consistent version: what the data plane compiles its snapshot from. */
  loadAll(): Promise<ConfigState>;

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

  /** Admin tokens: only a hash is stored. */
  addAdminToken(name: string, tokenHash: string): Promise<void>;
  hasAdminTokens(): Promise<boolean>;
  findAdminToken(tokenHash: string): Promise<{ name: string } | undefined>;
}
