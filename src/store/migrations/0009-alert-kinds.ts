/**
 * Alert rule kinds `quota` and `new_network` (issue 5): rules gain `options`, the JSON of a kind's own
 * settings; and where credentials have been used from, so "a key used from a new network" survives
 * restarts and is the same answer on every node of the store (src/observe/alerts/network-alerts.ts).
 * Both tables are read by primary key only: one credential's rows, or one of them.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../types.js';

export function alertKindsMigration(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('alert_rules')
        .addColumn('options', 'text', (c) => c.notNull().defaultTo(sql.lit('{}')))
        .execute();
      await db.schema
        .createTable('credential_networks')
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('credential', 'text', (c) => c.notNull())
        .addColumn('prefixes', 'text', (c) => c.notNull())
        .addColumn('network', 'text', (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addColumn('last_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('credential_networks_pk', ['workspace', 'credential', 'prefixes', 'network'])
        .execute();
      // Retention drops networks not seen for a year: a range over last_seen, not a scan.
      await db.schema
        .createIndex('credential_networks_last_seen')
        .on('credential_networks')
        .column('last_seen')
        .execute();
      await db.schema
        .createTable('credential_seen')
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('credential', 'text', (c) => c.notNull())
        .addColumn('prefixes', 'text', (c) => c.notNull())
        .addColumn('first_seen', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('credential_seen_pk', ['workspace', 'credential', 'prefixes'])
        .execute();
    },
  };
}
