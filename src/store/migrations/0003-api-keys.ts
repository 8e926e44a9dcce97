/**
 * API keys (their hashes), the change feed other nodes evict cached keys from, and node-wide settings.
 * Keys are not configuration: writing them never bumps the config version, so issuing a million keys
 * recompiles no snapshot.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../types.js';
import type { Database } from '../schema.js';

export function apiKeysMigration(dialect: Dialect): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withTables<Database>();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('visible_id', 'text', (c) => c.notNull())
        .addColumn('env', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text')
        .addColumn('metadata', 'text')
        .addColumn('tier', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('replaced_by', 'text')
        .addColumn('grace_until', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      // Lists page through one app's (or one workspace's) keys in creation order.
      await db.schema
        .createIndex('api_keys_app_idx')
        .on('api_keys')
        .columns(['workspace_id', 'app_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('api_keys_workspace_idx')
        .on('api_keys')
        .columns(['workspace_id', 'created_at', 'id'])
        .execute();

      let changes = db.schema.createTable('api_key_changes');
      changes =
        dialect === 'postgres'
          ? changes.addColumn('id', 'serial', (c) => c.primaryKey())
          : changes.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await changes
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('keyway_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
