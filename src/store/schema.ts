/**
 * The tables as Kysely sees them. Both dialects share this one schema: JSON lives in text columns and
 * timestamps are ISO-8601 text, so the same queries and the same rows work on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';
import type { ResourceKind } from '../model/index.js';

/** One row per resource; every resource kind has its own table of this shape. */
export interface ResourceTable {
  id: string;
  workspace_id: string;
  /** `KINDS[kind].key(resource)`: unique per workspace. */
  key: string;
  /** JSON array text, kept apart from `data` so the tag filter can run in SQL. */
  tags: string;
  /** The user's fields as JSON text. */
  data: string;
  created_at: string;
  updated_at: string;
}

export interface WorkspaceTable {
  id: string;
  name: string;
  /** `{description?, tags?}` as JSON text. */
  data: string;
  created_at: string;
  updated_at: string;
}

export interface ConfigVersionTable {
  id: number;
  version: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  workspace: string;
  kind: string;
  key: string;
  before: string | null;
  after: string | null;
}

export interface AdminTokenTable {
  id: string;
  name: string;
  /** SHA-256 of the token: 256 random bits need no key or salt to be safe to keep. */
  token_hash: string;
  created_at: string;
  /** The admin user it belongs to; null for the bootstrap token (a super admin). */
  user_id: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  /** `token` (made by an admin) or `session` (made by a password login). */
  kind: string;
}

/** An admin user: grants per workspace, and a scrypt password hash for people. */
export interface AdminUserTable {
  id: string;
  name: string;
  /** `[{workspace, role}]` as JSON text. */
  grants: string;
  password_hash: string | null;
  failed_logins: number;
  locked_until: string | null;
  /** Set while the user is disabled: their tokens answer 401 and their password logs nothing in. */
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One API key. The key itself is never stored: `hash` is its HMAC-SHA-256 under the server secret. */
export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  app_id: string;
  hash: string;
  visible_id: string;
  env: string;
  /** `generated` (issued by Keyway) or `imported` (brought from another gateway). */
  source: string;
  status: string;
  /** JSON array text, or null for "the app's scopes". */
  scopes: string | null;
  /** JSON object text. */
  metadata: string | null;
  tier: string | null;
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
  replaced_by: string | null;
  grace_until: string | null;
  last_used_at: string | null;
}

/** Append-only feed of key hashes whose state changed (revoked, rotated): other nodes evict them. */
export interface ApiKeyChangeTable {
  id: Generated<number>;
  key_hash: string;
  at: string;
}

/** One committed change of a workspace: the whole workspace after it, as a declarative document. */
export interface ConfigHistoryTable {
  id: Generated<number>;
  workspace: string;
  version: number;
  at: string;
  actor: string;
  summary: string;
  /** JSON text of what `format` says (secrets sealed as stored). */
  document: string;
  /** `document` (a declarative document, before deltas), `state` (a keyframe) or `delta`. */
  format: Generated<string>;
  /** 1: past `config_history_keep`, kept only to rebuild a kept version from. */
  base_only: Generated<number>;
}

/**
 * What each config version touched (src/store/changes.ts): one row per resource, or one row of kind `*`
 * when the version must be loaded whole (a workspace changed, or too many resources at once).
 */
export interface ConfigChangeTable {
  version: number;
  kind: string;
  workspace_id: string;
  resource_id: string;
}

/** Node-wide values every node must agree on (the key secret's check value). */
export interface SettingTable {
  name: string;
  value: string;
}

// A type alias, not an interface: Kysely's `withTables<T>` wants an index-signature-compatible type.
// One table per resource kind, named after it (created by the kind's migration).
export type Database = { [K in ResourceKind]: ResourceTable } & {
  workspaces: WorkspaceTable;
  config_version: ConfigVersionTable;
  config_changes: ConfigChangeTable;
  audit_log: AuditTable;
  admin_tokens: AdminTokenTable;
  admin_users: AdminUserTable;
  config_history: ConfigHistoryTable;
  api_keys: ApiKeyTable;
  api_key_changes: ApiKeyChangeTable;
  keyway_settings: SettingTable;
};

/** The single row of `config_version`. */
export const VERSION_ROW_ID = 1;
