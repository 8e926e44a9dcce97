/**
 * Where credentials have been used from, in the shared store (migration 0009): `credential_networks`, one
 * row per credential, prefix setting and network with when it was first and last seen, and
 * `credential_seen`, when a credential was first seen under a prefix setting (the start of its learning).
 * Every statement names a whole primary key or a prefix of it — one row, or one credential's rows — so its
 * cost does not grow with the table (SQLite: SEARCH … USING INDEX on the primary key).
 */
import type { ObserveDb } from '../store/observe-db.js';

/** One credential's network under one prefix setting (`24/48`). */
export interface NetworkKey {
  workspace: string;
  credential: string;
  prefixes: string;
  network: string;
}

const MAX_CREDENTIALS = 100_000;

export class CredentialNetworks {
  /** prefixes, workspace, credential → first seen: it never changes once written, so it is kept. */
  readonly #firstSeen = new Map<string, number>();

  constructor(private readonly store: ObserveDb) {}

  /** When the credential was first seen under these prefixes; `at` if this is that first time. */
  async firstSeen(k: Omit<NetworkKey, 'network'>, at: number): Promise<number> {
    const key = `${k.prefixes}\u0000${k.workspace}\u0000${k.credential}`;
    const cached = this.#firstSeen.get(key);
    if (cached !== undefined) return cached;
    const db = this.store.db;
    // Insert-if-absent, then read: of nodes seeing a new credential at once, the first insert stands.
    await db
      .insertInto('credential_seen')
      .values({ workspace: k.workspace, credential: k.credential, prefixes: k.prefixes, first_seen: at })
      .onConflict((oc) => oc.columns(['workspace', 'credential', 'prefixes']).doNothing())
      .execute();
    const row = await db
      .selectFrom('credential_seen')
      .select('first_seen')
      .where('workspace', '=', k.workspace)
      .where('credential', '=', k.credential)
      .where('prefixes', '=', k.prefixes)
      .executeTakeFirst();
    const first = Number(row?.first_seen ?? at);
    if (this.#firstSeen.size >= MAX_CREDENTIALS) this.#firstSeen.clear();
    this.#firstSeen.set(key, first);
    return first;
  }

  /** Records the network as seen at `at`; answers when it was last seen before (undefined: never). */
  async touch(k: NetworkKey, at: number): Promise<number | undefined> {
    const db = this.store.db;
    const row = await db
      .selectFrom('credential_networks')
      .select('last_seen')
      .where('workspace', '=', k.workspace)
      .where('credential', '=', k.credential)
      .where('prefixes', '=', k.prefixes)
      .where('network', '=', k.network)
      .executeTakeFirst();
    const last = row === undefined ? undefined : Number(row.last_seen);
    if (last === undefined) {
      await db
        .insertInto('credential_networks')
        .values({ ...k, first_seen: at, last_seen: at })
        .onConflict((oc) => oc.columns(['workspace', 'credential', 'prefixes', 'network']).doNothing())
        .execute();
    } else if (last < at) {
      await db
        .updateTable('credential_networks')
        .set({ last_seen: at })
        .where('workspace', '=', k.workspace)
        .where('credential', '=', k.credential)
        .where('prefixes', '=', k.prefixes)
        .where('network', '=', k.network)
        .where('last_seen', '<', at)
        .execute();
    }
    return last;
  }

  /** The credential's other networks (same prefixes) seen at or after `since`. */
  async othersSince(k: NetworkKey, since: number): Promise<number> {
    const row = await this.store.db
      .selectFrom('credential_networks')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('workspace', '=', k.workspace)
      .where('credential', '=', k.credential)
      .where('prefixes', '=', k.prefixes)
      .where('network', '!=', k.network)
      .where('last_seen', '>=', since)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
