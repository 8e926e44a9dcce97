/**
 * A node's reader of the store's API-key change feed (`api_key_changes`): the hashes of keys created,
 * imported, rotated or revoked anywhere in the cluster, in feed order. The resolver evicts them from its
 * caches and adds them to its membership filter; change events (src/cluster) make that immediate, this
 * poll is what converges when an event was lost.
 *
 * Gaps: PostgreSQL hands out feed ids when a transaction inserts, not when it commits, so a transaction
 * that took id 10 can commit after one that took id 11 was read. A reader that only moved its cursor past
 * 11 would never see 10, and with the membership filter that would be a valid key refused on this node.
 * So ids skipped over are remembered for `gapWindowMs` and looked for again on every poll; a gap left by
 * a rolled-back transaction simply expires. (SQLite has one writer: its ids commit in order.)
 */

/** What the feed needs from the store. `ids` (ascending, one per hash) enables gap tracking. */
export interface ChangeFeedSource {
  apiKeyChangesSince(cursor: number): Promise<{ cursor: number; hashes: string[]; ids?: number[] }>;
}

/** Most skipped ids remembered: a burst of aborted transactions must not grow the map without bound. */
const MAX_GAPS = 1000;

export class KeyChangeFeed {
  readonly #source: ChangeFeedSource;
  readonly #now: () => number;
  readonly #gapWindowMs: number;
  #cursor: number | undefined;
  #starting: Promise<void> | undefined;
  /** Feed id → when to stop looking for it. */
  readonly #gaps = new Map<number, number>();

  constructor(source: ChangeFeedSource, opts: { now: () => number; gapWindowMs?: number }) {
    this.#source = source;
    this.#now = opts.now;
    this.#gapWindowMs = opts.gapWindowMs ?? 60_000;
  }

  get started(): boolean {
    return this.#cursor !== undefined;
  }

  /** Ids skipped over and still looked for. */
  get gaps(): number {
    return this.#gaps.size;
  }

  /**
   * Moves to the end of the feed, once (concurrent callers share the move). Changes before the end are
   * in the store already: the caller reads the store's state after this, never before.
   */
  start(): Promise<void> {
    this.#starting ??= this.#toEnd().catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  /** Hashes changed since the previous call, including late commits that filled a gap. */
  async next(): Promise<string[]> {
    if (this.#cursor === undefined) {
      await this.start();
      return [];
    }
    const page = await this.#source.apiKeyChangesSince(this.#cursor);
    const out = this.#take(this.#cursor, page);
    this.#cursor = page.cursor;
    if (this.#gaps.size > 0) await this.#fillGaps(out);
    return out;
  }

  async #toEnd(): Promise<void> {
    let cursor = 0;
    for (;;) {
      const page = await this.#source.apiKeyChangesSince(cursor);
      if (page.hashes.length === 0) break;
      // Only the last page's gaps can still fill: anything older committed long ago or never will.
      this.#gaps.clear();
      this.#take(cursor, page);
      cursor = page.cursor;
    }
    this.#cursor = cursor;
  }

  /** The page's hashes; ids jumped over between `cursor` and the page's ids become gaps. */
  #take(cursor: number, page: { hashes: string[]; ids?: number[] }): string[] {
    const ids = page.ids;
    if (ids !== undefined) {
      const until = this.#now() + this.#gapWindowMs;
      let expected = cursor + 1;
      for (const id of ids) {
        for (let g = expected; g < id && this.#gaps.size < MAX_GAPS; g++) this.#gaps.set(g, until);
        expected = id + 1;
      }
    }
    return [...page.hashes];
  }

  async #fillGaps(out: string[]): Promise<void> {
    const now = this.#now();
    let oldest = Infinity;
    for (const [id, until] of this.#gaps) {
      if (until <= now) this.#gaps.delete(id);
      else if (id < oldest) oldest = id;
    }
    if (oldest === Infinity) return;
    // One page from the oldest gap on: the rows between are re-read, only the gap ids are taken.
    const page = await this.#source.apiKeyChangesSince(oldest - 1);
    page.ids?.forEach((id, i) => {
      const hash = page.hashes[i];
      if (hash !== undefined && this.#gaps.delete(id)) out.push(hash);
    });
  }
}
