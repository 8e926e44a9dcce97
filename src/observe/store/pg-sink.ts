/**
 * The store sink on PostgreSQL: one statement per batch and day, the rows passed as a single JSON
 * parameter and unpacked server-side by `json_populate_recordset` — the proxy's thread pays one
 * JSON.stringify, not thousands of bound parameters. I/O is asynchronous, so no worker is needed.
 */
import { sql, type Kysely } from 'kysely';
import type { ObserveTables } from './schema.js';
import { RECORD_COLUMNS, type CallRecord } from '../records/call-record.js';
import type { RecordSink } from '../sinks/sink.js';
import { createDaySql, dayOf, tableFor } from './record-tables.js';

export class PgRecordSink implements RecordSink {
  readonly name = 'store';
  private readonly ready = new Set<string>();

  constructor(private readonly db: Kysely<ObserveTables>) {}

  async write(batch: readonly CallRecord[]): Promise<void> {
    const byDay = new Map<string, CallRecord[]>();
    for (const r of batch) {
      const day = dayOf(r.at);
      let list = byDay.get(day);
      if (list === undefined) byDay.set(day, (list = []));
      list.push(r);
    }
    const cols = RECORD_COLUMNS.join(', ');
    for (const [day, rows] of byDay) {
      if (!this.ready.has(day)) {
        for (const ddl of createDaySql('postgres', day)) await sql.raw(ddl).execute(this.db);
        this.ready.add(day);
      }
      const t = tableFor(day);
      await sql`insert into ${sql.table(t)} (${sql.raw(cols)}) select ${sql.raw(cols)} from json_populate_recordset(null::${sql.table(t)}, ${JSON.stringify(rows)}::json)`.execute(
        this.db,
      );
    }
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
