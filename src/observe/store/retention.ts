/**
 * Retention: whole days go at once. A day table older than the retention window is dropped (instant on
 * both dialects, no row-by-row delete, no vacuum debt), and rollups age out by grain: minute rows after
 * two days, hour rows after 90, day rows after three years — minute detail for the incident, hours for
 * the monthly review, days for the trend. The networks credentials were used from (new_network alerts)
 * go a year after they were last seen.
 */
import { sql } from 'kysely';
import type { ObserveDb } from './observe-db.js';
import { grainCode, type Grain } from '../rollups.js';
import { allTablesFor, dayOf, DAY_MS } from './record-tables.js';

/** Networks a credential was used from are kept a year after last seen: the longest `new_network` look-back. */
const NETWORK_RETENTION_MS = 366 * DAY_MS;

const GRAIN_RETENTION_MS: Record<Grain, number> = { m: 2 * DAY_MS, h: 90 * DAY_MS, d: 3 * 365 * DAY_MS };

/** Every rollup level of a grain (src/observe/rollups.ts) ages like the grain. */
export const ROLLUP_RETENTION_MS: Record<string, number> = Object.fromEntries(
  (['m', 'h', 'd'] as const).flatMap((g) =>
    (['full', 'route', 'consumer'] as const).map((l) => [grainCode(g, l), GRAIN_RETENTION_MS[g]]),
  ),
);

/** Drops the record days before `now - retentionDays` (today counts as one); returns the days dropped. */
export async function applyRetention(
  store: ObserveDb,
  retentionDays: number,
  now: number,
): Promise<string[]> {
  const keepFrom = dayOf(now - (retentionDays - 1) * DAY_MS);
  const old = (
    await store.db.selectFrom('call_record_days').select('day').where('day', '<', keepFrom).execute()
  ).map((r) => r.day);
  for (const day of old) {
    for (const table of allTablesFor(day))
      await sql`drop table if exists ${sql.table(table)}`.execute(store.db);
    await store.db.deleteFrom('call_record_days').where('day', '=', day).execute();
  }
  for (const [grain, ms] of Object.entries(ROLLUP_RETENTION_MS)) {
    await store.db
      .deleteFrom('call_rollups')
      .where('grain', '=', grain)
      .where('bucket', '<', now - ms)
      .execute();
  }
  await store.db
    .deleteFrom('credential_networks')
    .where('last_seen', '<', now - NETWORK_RETENTION_MS)
    .execute();
  return old;
}
