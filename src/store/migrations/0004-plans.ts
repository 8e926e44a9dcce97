/**
 * Plans: named bundles of limits and scopes (same shape as every resource table). Consumers and apps name
 * a plan in their JSON `data`, so their tables need no new column.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';
import { createResourceTable } from './resource-table.js';

export function plansMigration(): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      await createResourceTable(raw.withTables<Database>(), 'plans');
    },
  };
}
