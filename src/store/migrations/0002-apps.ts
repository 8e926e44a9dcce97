/** Apps: the consumer's applications that credentials belong to (same shape as every resource table). */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';

export function appsMigration(): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withTables<Database>();
      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('apps_workspace_key_unique', ['workspace_id', 'key'])
        .execute();
    },
  };
}
