/**
 * The one shape every resource kind's table has: the initial migration creates the first kinds with it,
 * and each migration that adds a kind (apps, plans, …) calls it again, so the tables stay identical.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export async function createResourceTable(db: Kysely<Database>, table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint(`${table}_workspace_key_unique`, ['workspace_id', 'key'])
    .execute();
}
