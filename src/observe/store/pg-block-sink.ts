/**
 * The store sink on PostgreSQL: each batch goes in as one block per day (record-blocks.ts) and its keys,
 * in one transaction of two statements per block (the keys passed as arrays and unnested server-side).
 * It runs on the record thread with its own small pool.
 */
import { sql, type Kysely } from 'kysely';
import { encodeBlock } from './block-codec.js';
import type { RecordBatch } from '../records/packed-batch.js';
import type { RecordSink } from '../sinks/sink.js';
import { blocksOf } from './record-blocks.js';
import { createDaySql, tablesFor } from './record-tables.js';
import type { ObserveTables } from './schema.js';

export class PgBlockSink implements RecordSink {
  readonly name = 'store';
  private readonly ready = new Set<string>();

  constructor(private readonly db: Kysely<ObserveTables>) {}

  async write(batch: RecordBatch): Promise<void> {
    const blocks = blocksOf(batch.packed);
    for (const b of blocks) {
      if (!this.ready.has(b.day)) {
        for (const ddl of createDaySql('postgres', b.day)) await sql.raw(ddl).execute(this.db);
        this.ready.add(b.day);
      }
    }
    await this.db.transaction().execute(async (tx) => {
      for (const b of blocks) {
        const t = tablesFor(b.day);
        const { rows } = await sql<{ id: string }>`insert into ${sql.table(t.blocks)}
          (first_at, last_at, count, data, bloom)
          values (${b.firstAt}, ${b.lastAt}, ${b.count}, ${encodeBlock(b.batch)}, ${b.bloom}) returning id`.execute(
          tx,
        );
        const id = rows[0]?.id;
        if (id === undefined || b.keys.length === 0) continue;
        await sql`insert into ${sql.table(t.keys)} (kind, value, block)
          select kind, value, ${id}::bigint from unnest(${b.keys.map((k) => k[0])}::text[],
            ${b.keys.map((k) => k[1])}::text[]) as k(kind, value)
          on conflict do nothing`.execute(tx);
      }
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Retention dropped a day: create it again if a late record comes for it. */
  forget(day: string): void {
    this.ready.delete(day);
  }
}
