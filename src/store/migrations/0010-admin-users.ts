/**
 * Admin users (issue 22, teams): people and machines that administer Keyway, each with roles per
 * workspace, their own tokens and, for people, a password. Tokens stay in `admin_tokens`: the bootstrap
 * token has no user (it is the super admin it always was); a user's tokens point at the user, may expire
 * and can be revoked (a revoked row is kept, so the audit log's token id still names something).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function adminUsersMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('admin_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        // `[{workspace, role}]` as JSON text: grants are read with the user, never queried by themselves.
        .addColumn('grants', 'text', (c) => c.notNull().defaultTo(sql.lit('[]')))
        // `scrypt$N$r$p$salt$hash`, or null for a machine user that logs in with tokens only.
        .addColumn('password_hash', 'text')
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('admin_tokens').addColumn('user_id', 'text').execute();
      await db.schema.alterTable('admin_tokens').addColumn('expires_at', 'text').execute();
      await db.schema.alterTable('admin_tokens').addColumn('revoked_at', 'text').execute();
      // `token` (made by an admin) or `session` (made by a password login).
      await db.schema
        .alterTable('admin_tokens')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo(sql.lit('token')))
        .execute();
      await db.schema.createIndex('admin_tokens_user_idx').on('admin_tokens').column('user_id').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('admin_tokens_user_idx').ifExists().execute();
      for (const column of ['kind', 'revoked_at', 'expires_at', 'user_id'])
        await db.schema.alterTable('admin_tokens').dropColumn(column).execute();
      await db.schema.dropTable('admin_users').ifExists().execute();
    },
  };
}
