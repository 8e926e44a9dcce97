/**
 * The store sink on SQLite: each batch goes in as one block per day (record-blocks.ts) with its keys, in
 * one transaction. It runs on the record thread (records/record-thread-entry.ts) with that thread's own
 * connection — better-sqlite3 is synchronous — and WAL lets it write beside the node's store connection.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { BlockScratch, encodeBlock } from './block-codec.js';
import type { RecordBatch } from '../records/packed-batch.js';
import type { RecordSink } from '../sinks/sink.js';
import { blocksOf, type StoredBlock } from './record-blocks.js';
import { createDaySql, tablesFor } from './record-tables.js';

interface DayStatements {
  block: BetterSqlite3.Statement;
  key: BetterSqlite3.Statement;
}

export class SqliteBlockSink implements RecordSink {
  readonly name = 'store';
  private readonly days = new Map<string, DayStatements>();
  private readonly insert: (blocks: readonly StoredBlock[]) => void;
  private readonly scratch = new BlockScratch();

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insert = db.transaction((blocks: readonly StoredBlock[]) => {
      for (const b of blocks) {
        const st = this.statementsFor(b.day);
        // Bound bytes are copied by SQLite, so one scratch buffer serves every block.
        const data = encodeBlock(b.batch, this.scratch);
        const { lastInsertRowid } = st.block.run(b.firstAt, b.lastAt, b.count, data, b.bloom);
        for (const [kind, value] of b.keys) st.key.run(kind, value, lastInsertRowid);
      }
    });
  }

  write(batch: RecordBatch): Promise<void> {
    try {
      this.insert(blocksOf(batch.packed));
      return Promise.resolve();
    } catch (err) {
      // Statements of a dropped day (retention on another connection) are stale: prepare again.
      this.days.clear();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Each write is committed when it returns. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.days.clear();
    return Promise.resolve();
  }

  private statementsFor(day: string): DayStatements {
    let st = this.days.get(day);
    if (st === undefined) {
      for (const ddl of createDaySql('sqlite', day)) this.db.exec(ddl);
      const t = tablesFor(day);
      st = {
        block: this.db.prepare(
          `insert into ${t.blocks} (first_at, last_at, count, data, bloom) values (?, ?, ?, ?, ?)`,
        ),
        key: this.db.prepare(`insert or ignore into ${t.keys} (kind, value, block) values (?, ?, ?)`),
      };
      this.days.set(day, st);
    }
    return st;
  }
}
