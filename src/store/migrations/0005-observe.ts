/**
 * Observability (issue 5): the list of call-record day tables (the tables themselves are made per day by
 * the record writer, src/observe/store/record-tables.ts), rollups, alert rules and alert history. None of
 * this is configuration: nothing here bumps the config version.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../types.js';

/**
 * The latency histogram's columns as this migration made them (src/observe/latency-histogram.ts: 15 bounds,
 * 16 buckets). Written out rather than imported: a migration must not change when the histogram later does
 * (that takes a migration of its own), and the store stays below the observe layer (docs/architecture.md).
 */
const BUCKET_COLUMNS = Array.from({ length: 16 }, (_, i) => `h${i}`);

export function observeMigration(dialect: Dialect): Migration {
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      await raw.schema
        .createTable('call_record_days')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .execute();

      let rollups = raw.schema
        .createTable('call_rollups')
        .addColumn('grain', 'text', (c) => c.notNull())
        .addColumn('bucket', big, (c) => c.notNull())
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('consumer', 'text', (c) => c.notNull())
        .addColumn('app', 'text', (c) => c.notNull())
        .addColumn('status_class', 'integer', (c) => c.notNull())
        .addColumn('count', big, (c) => c.notNull())
        .addColumn('latency_sum', real, (c) => c.notNull())
        .addColumn('upstream_sum', real, (c) => c.notNull())
        .addColumn('bytes_in', big, (c) => c.notNull())
        .addColumn('bytes_out', big, (c) => c.notNull())
        .addColumn('tokens_in', big, (c) => c.notNull())
        .addColumn('tokens_out', big, (c) => c.notNull())
        .addColumn('cost', real, (c) => c.notNull());
      for (const h of BUCKET_COLUMNS) rollups = rollups.addColumn(h, big, (c) => c.notNull());
      await rollups.execute();
      // The upsert's conflict target, and the range scan of every analytics query (grain, bucket first).
      await raw.schema
        .createIndex('call_rollups_key')
        .on('call_rollups')
        .columns(['grain', 'bucket', 'workspace', 'service', 'route', 'consumer', 'app', 'status_class'])
        .unique()
        .execute();

      await raw.schema
        .createTable('alert_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('threshold', real, (c) => c.notNull())
        .addColumn('window_minutes', 'integer', (c) => c.notNull())
        .addColumn('min_requests', 'integer', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('webhook_url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await raw.schema
        .createTable('alert_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('rule_name', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('value', real, (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('delivery_status', 'integer', (c) => c.notNull())
        .execute();
      await raw.schema.createIndex('alert_events_at').on('alert_events').columns(['at', 'id']).execute();
    },
  };
}
