/**
 * Config history (issue 22): every committed change of a workspace's configuration keeps the whole
 * workspace as a declarative document, with who made it and when, so any version can be restored.
 * Documents hold secrets as stored — sealed (`secret_enc`) or by reference — never in clear.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../types.js';

export function configHistoryMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('config_history')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('workspace', 'text', (c) => c.notNull())
        // The config version the change committed as (shared by every workspace).
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('config_history_workspace_idx')
        .on('config_history')
        .columns(['workspace', 'version'])
        .unique()
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('config_history').ifExists().execute();
    },
  };
}
