/**
 * Admin users can be disabled (issue 22, teams): a workspace admin takes someone off their team for a
 * while without deleting the user, their tokens or the audit trail's names. A disabled user's tokens and
 * sessions answer 401 and their password logs nothing in; enabling them again restores both.
 */
import type { Kysely, Migration } from 'kysely';

export function adminUserDisabledMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('admin_users').addColumn('disabled_at', 'text').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('admin_users').dropColumn('disabled_at').execute();
    },
  };
}
