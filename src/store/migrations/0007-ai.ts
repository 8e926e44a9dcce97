/**
 * The AI gateway's resources: providers (keys sealed in their JSON `data`), model aliases and prompt APIs,
 * each in a resource table like every other kind.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';
import { createResourceTable } from './resource-table.js';

export function aiMigration(): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withTables<Database>();
      await createResourceTable(db, 'ai_providers');
      await createResourceTable(db, 'ai_models');
      await createResourceTable(db, 'prompt_apis');
    },
  };
}
