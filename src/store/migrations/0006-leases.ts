/** Leases: which node runs a node-wide job (alert evaluation) when several nodes share one store. */
import type { Kysely, Migration } from 'kysely';

export function leasesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('observe_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('until', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
