/**
 * Admin users and their tokens: the statements the store runs for them. Passwords and tokens never reach
 * this file in clear (a scrypt hash, a SHA-256 hash), and audit rows carry neither: a user's row is
 * audited as its name and grants, a token as its id and name.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { KeywayError } from '../core/errors.js';
import type { AdminTokenTable, AdminUserTable, Database } from './schema.js';
import type {
  AdminGrant,
  AdminLogin,
  AdminTokenMatch,
  AdminUserStore,
  NewAdminToken,
  StoredAdminToken,
  StoredAdminUser,
} from './types.js';

/** Changes to admin users are node-wide: their audit rows are filed under this workspace name. */
export const NODE_WORKSPACE = '*';

export function toAdminUser(row: AdminUserTable): StoredAdminUser {
  const user: StoredAdminUser = {
    id: row.id,
    name: row.name,
    grants: JSON.parse(row.grants) as AdminGrant[],
    password: row.password_hash !== null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
  if (row.locked_until !== null) user.locked_until = row.locked_until;
  if (row.disabled_at !== null && row.disabled_at !== undefined) user.disabled = true;
  return user;
}

export function toAdminToken(row: AdminTokenTable, user: string | undefined): StoredAdminToken {
  const token: StoredAdminToken = {
    id: row.id,
    name: row.name,
    kind: row.kind === 'session' ? 'session' : 'token',
    created_at: row.created_at,
  };
  if (user !== undefined) token.user = user;
  if (row.expires_at !== null) token.expires_at = row.expires_at;
  if (row.revoked_at !== null) token.revoked_at = row.revoked_at;
  return token;
}

async function audit(
  db: Kysely<Database>,
  actor: string,
  action: 'create' | 'update' | 'delete',
  kind: 'admin_users' | 'admin_tokens',
  key: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: new Date().toISOString(),
      actor,
      action,
      workspace: NODE_WORKSPACE,
      kind,
      key,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
    })
    .execute();
}

/** What the audit log keeps of a user: no password hash, no login counters. */
function userView(u: StoredAdminUser): object {
  return { name: u.name, grants: u.grants, password: u.password, disabled: u.disabled === true };
}

async function userRow(db: Kysely<Database>, name: string): Promise<AdminUserTable> {
  const row = await db.selectFrom('admin_users').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'admin user', name });
  return row;
}

export async function listUsers(db: Kysely<Database>): Promise<StoredAdminUser[]> {
  const rows = await db.selectFrom('admin_users').selectAll().orderBy('name').execute();
  return rows.map(toAdminUser);
}

export async function getUser(db: Kysely<Database>, name: string): Promise<StoredAdminUser> {
  return toAdminUser(await userRow(db, name));
}

export async function createUser(
  db: Kysely<Database>,
  user: { name: string; grants: AdminGrant[]; password_hash?: string },
  actor: string,
): Promise<StoredAdminUser> {
  const taken = await db
    .selectFrom('admin_users')
    .select('id')
    .where('name', '=', user.name)
    .executeTakeFirst();
  if (taken !== undefined)
    throw new KeywayError('KW_ERR_CONFLICT', { reason: `admin user "${user.name}" already exists` });
  const now = new Date().toISOString();
  const row: AdminUserTable = {
    id: randomUUID(),
    name: user.name,
    grants: JSON.stringify(user.grants),
    password_hash: user.password_hash ?? null,
    failed_logins: 0,
    locked_until: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('admin_users').values(row).execute();
  const stored = toAdminUser(row);
  await audit(db, actor, 'create', 'admin_users', user.name, null, userView(stored));
  return stored;
}

export async function updateUser(
  db: Kysely<Database>,
  name: string,
  change: { grants?: AdminGrant[]; password_hash?: string | null; disabled?: boolean },
  actor: string,
): Promise<StoredAdminUser> {
  const before = await userRow(db, name);
  const set: Partial<AdminUserTable> = { updated_at: new Date().toISOString() };
  if (change.disabled !== undefined)
    set.disabled_at = change.disabled ? (before.disabled_at ?? set.updated_at ?? null) : null;
  if (change.grants !== undefined) set.grants = JSON.stringify(change.grants);
  if (change.password_hash !== undefined) {
    set.password_hash = change.password_hash;
    // A new password is a fresh start: an operator resetting it also lifts the lockout.
    set.failed_logins = 0;
    set.locked_until = null;
  }
  await db.updateTable('admin_users').set(set).where('id', '=', before.id).execute();
  const after = toAdminUser({ ...before, ...set });
  await audit(db, actor, 'update', 'admin_users', name, userView(toAdminUser(before)), userView(after));
  return after;
}

/** Deletes the user and every token and session of theirs. */
export async function deleteUser(db: Kysely<Database>, name: string, actor: string): Promise<void> {
  const row = await userRow(db, name);
  await db.deleteFrom('admin_tokens').where('user_id', '=', row.id).execute();
  await db.deleteFrom('admin_users').where('id', '=', row.id).execute();
  await audit(db, actor, 'delete', 'admin_users', name, userView(toAdminUser(row)), null);
}

export async function loginOf(db: Kysely<Database>, name: string): Promise<AdminLogin | undefined> {
  const row = await db.selectFrom('admin_users').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    user: toAdminUser(row),
    password_hash: row.password_hash,
    failed_logins: Number(row.failed_logins),
    locked_until: row.locked_until,
  };
}

export async function setLoginState(
  db: Kysely<Database>,
  name: string,
  failed: number,
  lockedUntil: string | null,
): Promise<void> {
  await db
    .updateTable('admin_users')
    .set({ failed_logins: failed, locked_until: lockedUntil })
    .where('name', '=', name)
    .execute();
}

export async function addUserToken(
  db: Kysely<Database>,
  userName: string,
  token: NewAdminToken,
  actor: string,
): Promise<StoredAdminToken> {
  const user = await userRow(db, userName);
  const row: AdminTokenTable = {
    id: randomUUID(),
    name: token.name,
    token_hash: token.hash,
    created_at: token.created_at,
    user_id: user.id,
    expires_at: token.expires_at ?? null,
    revoked_at: null,
    kind: token.kind,
  };
  await db.insertInto('admin_tokens').values(row).execute();
  const stored = toAdminToken(row, userName);
  // A login's session is not a configuration change; the token an admin makes is.
  if (token.kind === 'token') await audit(db, actor, 'create', 'admin_tokens', stored.id, null, stored);
  return stored;
}

export async function listUserTokens(db: Kysely<Database>, userName: string): Promise<StoredAdminToken[]> {
  const user = await userRow(db, userName);
  const rows = await db
    .selectFrom('admin_tokens')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => toAdminToken(r, userName));
}

/** Revokes at once; idempotent on a revoked token; KW_ERR_NOT_FOUND when the user has no such token. */
export async function revokeUserToken(
  db: Kysely<Database>,
  userName: string,
  id: string,
  actor: string,
): Promise<StoredAdminToken> {
  const user = await userRow(db, userName);
  const row = await db
    .selectFrom('admin_tokens')
    .selectAll()
    .where('user_id', '=', user.id)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'admin token', name: id });
  if (row.revoked_at !== null) return toAdminToken(row, userName);
  const revoked = { ...row, revoked_at: new Date().toISOString() };
  await db.updateTable('admin_tokens').set({ revoked_at: revoked.revoked_at }).where('id', '=', id).execute();
  const after = toAdminToken(revoked, userName);
  await audit(db, actor, 'update', 'admin_tokens', id, toAdminToken(row, userName), after);
  return after;
}

export async function findToken(db: Kysely<Database>, hash: string): Promise<AdminTokenMatch | undefined> {
  const row = await db
    .selectFrom('admin_tokens')
    .selectAll()
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const match: AdminTokenMatch = { id: row.id, name: row.name };
  if (row.expires_at !== null) match.expires_at = row.expires_at;
  if (row.revoked_at !== null) match.revoked_at = row.revoked_at;
  if (row.user_id !== null) {
    const user = await db
      .selectFrom('admin_users')
      .selectAll()
      .where('id', '=', row.user_id)
      .executeTakeFirst();
    // A token whose user is gone is no token (deleteUser removes them in the same transaction anyway);
    // a disabled user's tokens are none while they are disabled.
    if (user === undefined || (user.disabled_at !== null && user.disabled_at !== undefined)) return undefined;
    match.user = toAdminUser(user);
  }
  return match;
}

type Run = <T>(fn: (db: Kysely<Database>) => Promise<T>, write?: boolean) => Promise<T>;

/** The store's `admins`: each write in its own transaction (its audit row commits with it). */
export function adminUserStore(run: Run): AdminUserStore {
  return {
    list: () => run((db) => listUsers(db), false),
    get: (name) => run((db) => getUser(db, name), false),
    create: (user, actor) => run((db) => createUser(db, user, actor)),
    update: (name, change, actor) => run((db) => updateUser(db, name, change, actor)),
    delete: (name, actor) => run((db) => deleteUser(db, name, actor)),
    login: (name) => run((db) => loginOf(db, name), false),
    setLoginState: (name, failed, lockedUntil) => run((db) => setLoginState(db, name, failed, lockedUntil)),
    addToken: (user, token, actor) => run((db) => addUserToken(db, user, token, actor)),
    listTokens: (user) => run((db) => listUserTokens(db, user), false),
    revokeToken: (user, id, actor) => run((db) => revokeUserToken(db, user, id, actor)),
    findToken: (hash) => run((db) => findToken(db, hash), false),
  };
}
