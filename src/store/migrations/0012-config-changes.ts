/**
 * The config change feed: which resources each config version touched, so a node already serving version N
 * reads what changed up to the current version instead of the whole configuration (src/store/changes.ts).
 * One row per touched resource; a version whose write touched too much, or a workspace itself, gets one
 * marker row (`kind` = `*`) that tells readers to load everything. Read by version range, trimmed by it.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../types.js';

export function configChangesMigration(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('config_changes')
        .addColumn('version', big, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('config_changes_version').on('config_changes').column('version').execute();
    },
  };
}
