/**
 * Plans: named bundles of limits and scopes (same shape as every resource table). Consumers and apps name
 * a plan in their JSON `data`, so their tables need no new column.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';

export function plansMigration(): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withTables<Database>();
      await db.schema
        .createTable('plans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('plans_workspace_key_unique', ['workspace_id', 'key'])
        .execute();
    },
  };
}
