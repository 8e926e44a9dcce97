/** Apps: the consumer's applications that credentials belong to (same shape as every resource table). */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';
import { createResourceTable } from './resource-table.js';

export function appsMigration(): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      await createResourceTable(raw.withTables<Database>(), 'apps');
    },
  };
}
