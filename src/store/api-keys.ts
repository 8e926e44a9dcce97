/**
 * API key rows: conversions and the statements the store and its transactions share. The key itself never
 * reaches this file; audit rows carry the key's id, visible id and fields, never its hash.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { KeywayError, validationError } from '../core/errors.js';
import type { ApiKeyTable, Database } from './schema.js';
import type { ApiKeyListQuery, NewApiKey, Page, StoredApiKey } from './types.js';

export const KEY_PAGE_DEFAULT = 100;
export const KEY_PAGE_MAX = 1000;

export function toApiKey(row: ApiKeyTable, workspace: string): StoredApiKey {
  const key: StoredApiKey = {
    id: row.id,
    workspace,
    app_id: row.app_id,
    hash: row.hash,
    visible_id: row.visible_id,
    env: row.env as StoredApiKey['env'],
    source: row.source as StoredApiKey['source'],
    status: row.status as StoredApiKey['status'],
    created_at: row.created_at,
  };
  if (row.scopes !== null) key.scopes = JSON.parse(row.scopes) as string[];
  if (row.metadata !== null) key.metadata = JSON.parse(row.metadata) as Record<string, unknown>;
  if (row.tier !== null) key.tier = row.tier;
  if (row.expires_at !== null) key.expires_at = row.expires_at;
  if (row.revoked_at !== null) key.revoked_at = row.revoked_at;
  if (row.replaced_by !== null) key.replaced_by = row.replaced_by;
  if (row.grace_until !== null) key.grace_until = row.grace_until;
  if (row.last_used_at !== null) key.last_used_at = row.last_used_at;
  return key;
}

/** What the audit log keeps of a key: everything but the hash. */
export function auditView(key: StoredApiKey): Omit<StoredApiKey, 'hash'> {
  const { hash: _hash, ...rest } = key;
  return rest;
}

async function workspaceId(db: Kysely<Database>, name: string): Promise<string> {
  const ws = await db.selectFrom('workspaces').select('id').where('name', '=', name).executeTakeFirst();
  if (ws === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name });
  return ws.id;
}

export async function findByHash(db: Kysely<Database>, hash: string): Promise<StoredApiKey | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
    .selectAll('api_keys')
    .select('workspaces.name as workspace_name')
    .where('api_keys.hash', '=', hash)
    .executeTakeFirst();
  return row === undefined ? undefined : toApiKey(row, row.workspace_name);
}

/** Up to `limit` key hashes after `after`, ascending: a range scan of the unique index on `hash`. */
export async function hashesAfter(db: Kysely<Database>, after: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select('hash')
    .where('hash', '>', after)
    .orderBy('hash')
    .limit(limit)
    .execute();
  return rows.map((r) => r.hash);
}

export async function insertKey(db: Kysely<Database>, key: NewApiKey): Promise<StoredApiKey> {
  const wsId = await workspaceId(db, key.workspace);
  const app = await db
    .selectFrom('apps')
    .select('id')
    .where('workspace_id', '=', wsId)
    .where('id', '=', key.app_id)
    .executeTakeFirst();
  if (app === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'app', name: key.app_id });
  // Checked first: a failed insert would abort a PostgreSQL transaction. The message never names the key.
  const taken = await db.selectFrom('api_keys').select('id').where('hash', '=', key.hash).executeTakeFirst();
  if (taken !== undefined)
    throw new KeywayError('KW_ERR_CONFLICT', { reason: 'this key is already registered' });
  const row: ApiKeyTable = {
    id: key.id || randomUUID(),
    workspace_id: wsId,
    app_id: key.app_id,
    hash: key.hash,
    visible_id: key.visible_id,
    env: key.env,
    source: key.source,
    status: 'active',
    scopes: key.scopes === undefined ? null : JSON.stringify(key.scopes),
    metadata: key.metadata === undefined ? null : JSON.stringify(key.metadata),
    tier: key.tier ?? null,
    expires_at: key.expires_at ?? null,
    created_at: new Date().toISOString(),
    revoked_at: null,
    replaced_by: null,
    grace_until: null,
    last_used_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return toApiKey(row, key.workspace);
}

export async function getKey(
  db: Kysely<Database>,
  workspace: string,
  id: string,
): Promise<StoredApiKey | undefined> {
  const wsId = await workspaceId(db, workspace);
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('workspace_id', '=', wsId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toApiKey(row, workspace);
}

export async function requireKey(db: Kysely<Database>, workspace: string, id: string): Promise<StoredApiKey> {
  const key = await getKey(db, workspace, id);
  if (key === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'key', name: id });
  return key;
}

export async function listKeys(
  db: Kysely<Database>,
  workspace: string,
  query: ApiKeyListQuery,
): Promise<Page<StoredApiKey>> {
  const limit = query.limit ?? KEY_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > KEY_PAGE_MAX) {
    throw validationError([{ path: 'limit', message: `must be an integer from 1 to ${KEY_PAGE_MAX}` }]);
  }
  if (query.after !== undefined && !/^[0-9]{1,9}$/.test(query.after))
    throw validationError([{ path: 'after', message: 'is not a valid cursor' }]);
  const offset = query.after === undefined ? 0 : Number(query.after);
  const wsId = await workspaceId(db, workspace);
  let q = db.selectFrom('api_keys').where('workspace_id', '=', wsId);
  if (query.app_id !== undefined) q = q.where('app_id', '=', query.app_id);
  const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  const rows = await q.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  const end = offset + rows.length;
  return { data: rows.map((r) => toApiKey(r, workspace)), next: end < total ? String(end) : null, total };
}

export async function recordChange(db: Kysely<Database>, hash: string): Promise<void> {
  await db.insertInto('api_key_changes').values({ key_hash: hash, at: new Date().toISOString() }).execute();
}
