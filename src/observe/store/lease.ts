/**
 * A lease in the shared store: among all nodes of one store, at most one holds `name` at a time. Alert
 * evaluation takes it before each round, so N nodes reading the same rollups send one webhook, not N. A
 * holder that stops renewing (crashed, partitioned) loses the lease once `until` passes, and another node
 * takes over — after reloading the firing state from the alert history, which the holder wrote.
 */
import { randomUUID } from 'node:crypto';
import type { ObserveDb } from './observe-db.js';

export class StoreLease {
  readonly holder = randomUUID();

  constructor(
    private readonly store: ObserveDb,
    private readonly name: string,
    /** How long one acquisition holds; renew well within it (the alert engine renews every round). */
    private readonly ttlMs: number,
  ) {}

  /** True when this node holds the lease now (taken or renewed until `now + ttl`). */
  async acquire(now: number): Promise<boolean> {
    const db = this.store.db;
    await db
      .insertInto('observe_leases')
      .values({ name: this.name, holder: this.holder, until: now + this.ttlMs })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    // One conditional UPDATE decides: the store serialises it, so two nodes cannot both match.
    const result = await db
      .updateTable('observe_leases')
      .set({ holder: this.holder, until: now + this.ttlMs })
      .where('name', '=', this.name)
      .where((eb) => eb.or([eb('holder', '=', this.holder), eb('until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
