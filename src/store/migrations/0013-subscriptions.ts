/** Subscriptions of apps to services: a resource table like every other kind's. */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';
import { createResourceTable } from './resource-table.js';

export function subscriptionsMigration(): Migration {
  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      await createResourceTable(raw.withTables<Database>(), 'subscriptions');
    },
  };
}
