/**
 * The initial schema: workspaces, one table per resource kind, the config version, the audit log and
 * admin tokens. Written with Kysely's schema builder so both dialects get the same tables.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import { DEFAULT_WORKSPACE } from '../../model/index.js';
import type { Dialect } from '../types.js';
import { VERSION_ROW_ID, type Database } from '../schema.js';
import { createResourceTable } from './resource-table.js';

export function initialMigration(dialect: Dialect): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withTables<Database>();
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      // The kinds as they were when this migration was written; later kinds get their own migration.
      for (const kind of ['services', 'routes', 'upstreams', 'consumers', 'plugins']) {
        await createResourceTable(db, kind);
      }

      await db.schema
        .createTable('config_version')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();

      // SQLite wants INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL a serial: the one dialect difference.
      let audit = db.schema.createTable('audit_log');
      audit =
        dialect === 'postgres'
          ? audit.addColumn('id', 'serial', (c) => c.primaryKey())
          : audit.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await audit
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
      await db.schema
        .createIndex('audit_log_workspace_idx')
        .on('audit_log')
        .columns(['workspace', 'id'])
        .execute();

      await db.schema
        .createTable('admin_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      const now = new Date().toISOString();
      await db
        .insertInto('workspaces')
        .values({ id: randomUUID(), name: DEFAULT_WORKSPACE, data: '{}', created_at: now, updated_at: now })
        .execute();
      await db.insertInto('config_version').values({ id: VERSION_ROW_ID, version: 1 }).execute();
    },

    async down(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withTables<Database>();
      for (const table of [
        'admin_tokens',
        'audit_log',
        'config_version',
        'services',
        'routes',
        'upstreams',
        'consumers',
        'plugins',
        'workspaces',
      ] as const) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
