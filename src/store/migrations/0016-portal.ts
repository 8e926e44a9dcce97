/**
 * The developer portal (docs/portal.md): developer accounts, their sessions, the single-use links
 * (password reset, email verification) and the outbox those links are written to when no mail server
 * sends them. Numbered 0016: 0014 and 0015 belong to the admin-users work that landed beside it.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../types.js';

export function portalMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('portal_developers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Lower-cased: one account per mailbox, however the address is typed.
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        // `scrypt$N$r$p$salt$hash`, or null for an account that signs in through OpenID Connect only.
        .addColumn('password_hash', 'text')
        .addColumn('email_verified_at', 'text')
        .addColumn('oidc_issuer', 'text')
        .addColumn('oidc_subject', 'text')
        // The consumer's username, the same in every workspace the portal publishes.
        .addColumn('consumer', 'text', (c) => c.notNull())
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('disabled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('portal_developers_oidc_idx')
        .on('portal_developers')
        .columns(['oidc_issuer', 'oidc_subject'])
        .unique()
        .execute();
      await db.schema
        .createTable('portal_sessions')
        // SHA-256 of the cookie's value: a stolen database holds no usable session.
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('developer_id', 'text', (c) => c.notNull())
        .addColumn('csrf_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('portal_sessions_developer_idx')
        .on('portal_sessions')
        .column('developer_id')
        .execute();
      await db.schema
        .createTable('portal_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('developer_id', 'text', (c) => c.notNull())
        // `reset` or `verify`.
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      // SQLite wants INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL a serial (as the audit log).
      const outbox = db.schema.createTable('portal_outbox');
      await (
        dialect === 'postgres'
          ? outbox.addColumn('id', 'serial', (c) => c.primaryKey())
          : outbox.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('to_email', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull().defaultTo(sql.lit('reset')))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['portal_outbox', 'portal_links', 'portal_sessions', 'portal_developers'])
        await db.schema.dropTable(table).ifExists().execute();
    },
  };
}
