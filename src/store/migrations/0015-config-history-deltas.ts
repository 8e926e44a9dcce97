/**
 * Config history as deltas (issue 22): a version keeps only the resources its change wrote, and every
 * so often the whole workspace (a keyframe), instead of the whole workspace every time — 100 writes to
 * a ~5 MB workspace each wrote and trimmed a 5 MB row. `format` says what a row's `document` holds:
 *
 * - `document`: a declarative document, as every row written before this migration (each is its own
 *   keyframe: nothing is rewritten, and each still reads back exactly as it was kept);
 * - `state`: the whole workspace as stored (a keyframe);
 * - `delta`: the resources the change wrote, by id, each with its new value or null (deleted).
 *
 * `base_only` marks rows past `config_history_keep` that stay only because a kept version is rebuilt
 * from them; they are not listed and cannot be restored.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function configHistoryDeltasMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('config_history')
        .addColumn('format', 'text', (c) => c.notNull().defaultTo(sql.lit('document')))
        .execute();
      await db.schema
        .alterTable('config_history')
        .addColumn('base_only', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('config_history').dropColumn('base_only').execute();
      await db.schema.alterTable('config_history').dropColumn('format').execute();
    },
  };
}
