/**
 * The developer portal's rows (docs/portal.md): accounts, sessions, single-use links and the outbox.
 * Passwords, session ids and CSRF tokens never reach this file in clear (a scrypt hash, SHA-256 hashes);
 * a link's id is stored, but a link only works with the signature the server's secret makes for it.
 * Audit rows name an account by its email, never by a hash or a token.
 */
import type { Kysely } from 'kysely';
import { KeywayError } from '../core/errors.js';
import type {
  Database,
  PortalDeveloperTable,
  PortalLinkTable,
  PortalOutboxTable,
  PortalSessionTable,
} from './schema.js';

/** Developer accounts are node-wide: their audit rows are filed under this workspace name. */
const NODE_WORKSPACE = '*';

export interface Developer {
  id: string;
  email: string;
  name: string;
  /** The consumer's username in every workspace the portal publishes. */
  consumer: string;
  /** The account can sign in with a password (the hash itself never leaves the store). */
  password: boolean;
  email_verified: boolean;
  /** Signs in through this OpenID Connect issuer too. */
  oidc_issuer?: string;
  disabled: boolean;
  created_at: string;
}

export interface DeveloperLogin {
  developer: Developer;
  password_hash: string | null;
  failed_logins: number;
  locked_until: string | null;
}

export interface NewDeveloper {
  id: string;
  email: string;
  name: string;
  consumer: string;
  password_hash: string | null;
  email_verified_at: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
}

export type NewSession = PortalSessionTable;
export type PortalLink = PortalLinkTable;
export type OutboxMessage = Omit<PortalOutboxTable, 'id'> & { id: number };

export interface PortalStore {
  createDeveloper(dev: NewDeveloper, at: string): Promise<Developer>;
  developer(id: string): Promise<Developer | undefined>;
  loginOf(email: string): Promise<DeveloperLogin | undefined>;
  developerByOidc(issuer: string, subject: string): Promise<Developer | undefined>;
  listDevelopers(): Promise<Developer[]>;
  /** Sets the fields given (a new password also lifts the lockout); audited as `actor`. */
  updateDeveloper(
    id: string,
    change: {
      password_hash?: string;
      email_verified_at?: string;
      oidc?: { issuer: string; subject: string };
      disabled?: boolean;
    },
    actor: string,
    at: string,
  ): Promise<Developer>;
  setLoginState(id: string, failed: number, lockedUntil: string | null): Promise<void>;

  createSession(session: NewSession): Promise<void>;
  /** The session and its developer, when the session exists and has not expired at `now`. */
  session(
    idHash: string,
    now: string,
  ): Promise<{ session: PortalSessionTable; developer: Developer } | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Signs a developer out everywhere (a password reset, an admin disabling the account). */
  deleteSessions(developerId: string): Promise<void>;
  /** Removes sessions and links that expired before `now`; returns how many rows went. */
  sweep(now: string): Promise<number>;

  createLink(link: PortalLink): Promise<void>;
  /**
   * Marks the link used, once: the first caller gets the link, every later one (and an expired or
   * unknown link) undefined. One UPDATE … WHERE used_at IS NULL, so two nodes cannot both use it.
   */
  useLink(id: string, purpose: string, now: string): Promise<PortalLink | undefined>;

  addOutbox(message: Omit<OutboxMessage, 'id'>): Promise<number>;
  /** Newest first; `to` filters by recipient. */
  listOutbox(query: { limit: number; to?: string }): Promise<OutboxMessage[]>;

  /** An audit row for a developer's own action (sign-up, password change); never a secret in it. */
  audit(actor: string, action: 'create' | 'update' | 'delete', key: string, after: unknown): Promise<void>;
}

function toDeveloper(row: PortalDeveloperTable): Developer {
  const dev: Developer = {
    id: row.id,
    email: row.email,
    name: row.name,
    consumer: row.consumer,
    password: row.password_hash !== null,
    email_verified: row.email_verified_at !== null,
    disabled: row.disabled_at !== null,
    created_at: row.created_at,
  };
  if (row.oidc_issuer !== null) dev.oidc_issuer = row.oidc_issuer;
  return dev;
}

/** What the audit log keeps of an account. */
function developerView(d: Developer): object {
  return {
    email: d.email,
    name: d.name,
    consumer: d.consumer,
    password: d.password,
    email_verified: d.email_verified,
    disabled: d.disabled,
    ...(d.oidc_issuer === undefined ? {} : { oidc_issuer: d.oidc_issuer }),
  };
}

async function audit(
  db: Kysely<Database>,
  actor: string,
  action: 'create' | 'update' | 'delete',
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
      kind: 'portal_developers',
      key,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
    })
    .execute();
}

async function developerRow(db: Kysely<Database>, id: string): Promise<PortalDeveloperTable> {
  const row = await db.selectFrom('portal_developers').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'developer', name: id });
  return row;
}

type Run = <T>(fn: (db: Kysely<Database>) => Promise<T>, write?: boolean) => Promise<T>;

/** The store's `portal`: each write in its own transaction (its audit row commits with it). */
export function portalStore(run: Run): PortalStore {
  return {
    createDeveloper: (dev, at) =>
      run(async (db) => {
        const taken = await db
          .selectFrom('portal_developers')
          .select('id')
          .where('email', '=', dev.email)
          .executeTakeFirst();
        if (taken !== undefined) throw new KeywayError('KW_ERR_PORTAL_EMAIL_TAKEN');
        const row: PortalDeveloperTable = {
          ...dev,
          failed_logins: 0,
          locked_until: null,
          disabled_at: null,
          created_at: at,
          updated_at: at,
        };
        await db.insertInto('portal_developers').values(row).execute();
        const created = toDeveloper(row);
        await audit(db, `developer:${dev.email}`, 'create', dev.email, null, developerView(created));
        return created;
      }),

    developer: (id) =>
      run(async (db) => {
        const row = await db
          .selectFrom('portal_developers')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row === undefined ? undefined : toDeveloper(row);
      }, false),

    loginOf: (email) =>
      run(async (db) => {
        const row = await db
          .selectFrom('portal_developers')
          .selectAll()
          .where('email', '=', email)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        return {
          developer: toDeveloper(row),
          password_hash: row.password_hash,
          failed_logins: Number(row.failed_logins),
          locked_until: row.locked_until,
        };
      }, false),

    developerByOidc: (issuer, subject) =>
      run(async (db) => {
        const row = await db
          .selectFrom('portal_developers')
          .selectAll()
          .where('oidc_issuer', '=', issuer)
          .where('oidc_subject', '=', subject)
          .executeTakeFirst();
        return row === undefined ? undefined : toDeveloper(row);
      }, false),

    listDevelopers: () =>
      run(async (db) => {
        const rows = await db.selectFrom('portal_developers').selectAll().orderBy('email').execute();
        return rows.map(toDeveloper);
      }, false),

    updateDeveloper: (id, change, actor, at) =>
      run(async (db) => {
        const before = await developerRow(db, id);
        const set: Partial<PortalDeveloperTable> = { updated_at: at };
        if (change.password_hash !== undefined) {
          set.password_hash = change.password_hash;
          set.failed_logins = 0;
          set.locked_until = null;
        }
        if (change.email_verified_at !== undefined) set.email_verified_at = change.email_verified_at;
        if (change.oidc !== undefined) {
          set.oidc_issuer = change.oidc.issuer;
          set.oidc_subject = change.oidc.subject;
        }
        if (change.disabled !== undefined) set.disabled_at = change.disabled ? at : null;
        await db.updateTable('portal_developers').set(set).where('id', '=', id).execute();
        const after = toDeveloper({ ...before, ...set });
        await audit(
          db,
          actor,
          'update',
          before.email,
          developerView(toDeveloper(before)),
          developerView(after),
        );
        return after;
      }),

    setLoginState: (id, failed, lockedUntil) =>
      run(async (db) => {
        await db
          .updateTable('portal_developers')
          .set({ failed_logins: failed, locked_until: lockedUntil })
          .where('id', '=', id)
          .execute();
      }),

    createSession: (session) =>
      run(async (db) => {
        await db.insertInto('portal_sessions').values(session).execute();
      }),

    session: (idHash, now) =>
      run(async (db) => {
        const session = await db
          .selectFrom('portal_sessions')
          .selectAll()
          .where('id_hash', '=', idHash)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (session === undefined) return undefined;
        const row = await db
          .selectFrom('portal_developers')
          .selectAll()
          .where('id', '=', session.developer_id)
          .executeTakeFirst();
        return row === undefined ? undefined : { session, developer: toDeveloper(row) };
      }, false),

    deleteSession: (idHash) =>
      run(async (db) => {
        await db.deleteFrom('portal_sessions').where('id_hash', '=', idHash).execute();
      }),

    deleteSessions: (developerId) =>
      run(async (db) => {
        await db.deleteFrom('portal_sessions').where('developer_id', '=', developerId).execute();
      }),

    sweep: (now) =>
      run(async (db) => {
        const sessions = await db
          .deleteFrom('portal_sessions')
          .where('expires_at', '<=', now)
          .executeTakeFirst();
        const links = await db.deleteFrom('portal_links').where('expires_at', '<=', now).executeTakeFirst();
        return Number(sessions.numDeletedRows) + Number(links.numDeletedRows);
      }),

    createLink: (link) =>
      run(async (db) => {
        await db.insertInto('portal_links').values(link).execute();
      }),

    useLink: (id, purpose, now) =>
      run(async (db) => {
        const used = await db
          .updateTable('portal_links')
          .set({ used_at: now })
          .where('id', '=', id)
          .where('purpose', '=', purpose)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) return undefined;
        return db.selectFrom('portal_links').selectAll().where('id', '=', id).executeTakeFirst();
      }),

    addOutbox: (message) =>
      run(async (db) => {
        const row = await db.insertInto('portal_outbox').values(message).returning('id').executeTakeFirst();
        return Number(row?.id ?? 0);
      }),

    listOutbox: ({ limit, to }) =>
      run(async (db) => {
        let q = db.selectFrom('portal_outbox').selectAll().orderBy('id', 'desc').limit(limit);
        if (to !== undefined) q = q.where('to_email', '=', to);
        const rows = await q.execute();
        return rows.map((r) => ({ ...r, id: Number(r.id) }));
      }, false),

    audit: (actor, action, key, after) => run((db) => audit(db, actor, action, key, null, after)),
  };
}
