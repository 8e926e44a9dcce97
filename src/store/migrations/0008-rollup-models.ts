/**
 * AI usage in analytics (issue 6): rollups gain the provider and model of AI calls as dimensions, so
 * "cost per consumer and model" is a group-by over rollups (kept for years at day grain) rather than a
 * scan of call records (kept for days). Rows of other calls have both empty; existing rows get ''. The
 * unique key, which the additive upsert conflicts on, now includes them.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function rollupModelsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const column of ['provider', 'model']) {
        await db.schema
          .alterTable('call_rollups')
          .addColumn(column, 'text', (c) => c.notNull().defaultTo(sql.lit('')))
          .execute();
      }
      await db.schema.dropIndex('call_rollups_key').execute();
      await db.schema
        .createIndex('call_rollups_key')
        .on('call_rollups')
        .columns([
          'grain',
          'bucket',
          'workspace',
          'service',
          'route',
          'consumer',
          'app',
          'provider',
          'model',
          'status_class',
        ])
        .unique()
        .execute();
    },
  };
}
