/**
 * The batch writer's back-pressure (a stuck sink costs records, counted, never a blocked push), the
 * SQLite store sink and search over day tables, and retention dropping whole days.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { BatchWriter } from '../../src/observe/batch-writer.js';
import type { CallRecord } from '../../src/observe/call-record.js';
import { RingBuffer } from '../../src/observe/ring-buffer.js';
import type { RecordSink } from '../../src/observe/sinks/sink.js';
import { searchLogs } from '../../src/observe/store/log-search.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { createDaySql, DAY_MS, dayOf } from '../../src/observe/store/record-tables.js';
import { applyRetention } from '../../src/observe/store/retention.js';
import { SqliteRecordSink } from '../../src/observe/store/sqlite-sink.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { record } from './support.js';

describe('batch writer back-pressure', () => {
  it('drops and counts when the ring is full, and never blocks a push', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const written: CallRecord[] = [];
    const stuck: RecordSink = {
      name: 'stuck',
      async write(batch) {
        await gate;
        written.push(...batch);
      },
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const ring = new RingBuffer<CallRecord>(10);
    const writer = new BatchWriter(ring, [stuck], {
      batchSize: 5,
      flushIntervalMs: 10_000,
      onSinkError: () => undefined,
    });
    for (let i = 0; i < 5; i++) ring.push(record());
    const first = writer.drain(); // takes 5, then waits on the stuck sink
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) ring.push(record());
    const pushMs = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(ring.length, 10);
    assert.equal(ring.dropped, 90);
    assert.ok(pushMs < 50, `100 pushes took ${pushMs} ms`);
    open();
    await first;
    assert.equal(written.length, 15);
  });
});

describe('SQLite record store', () => {
  let dir: string;
  let store: Store;
  let db: ObserveDb;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-records-'));
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
  });
  after(async () => {
    await db.close();
    await store.close();
  });

  it('writes batches through the worker and finds them by filter, newest first, page by page', async () => {
    const sink = new SqliteRecordSink(dir);
    const now = Date.now();
    const batch: CallRecord[] = [];
    for (let i = 0; i < 250; i++) {
      batch.push(
        record({
          at: now - i * 1000,
          status: i % 10 === 0 ? 502 : 200,
          consumer: i % 2 === 0 ? 'acme' : 'globex',
          error_code: i % 10 === 0 ? 'KW_ERR_UPSTREAM_UNAVAILABLE' : null,
        }),
      );
    }
    batch.push(record({ at: now - 3 * DAY_MS, status: 500 }));
    await sink.write(batch);
    await sink.close();

    const q = { since: now - 2 * 3_600_000, until: now + 1, limit: 10, order: 'desc' as const };
    const errors = await searchLogs(db, { ...q, status: '5xx' });
    assert.equal(errors.data.length, 10);
    assert.ok(errors.data.every((r) => r.status === 502));
    assert.ok(errors.next !== null);
    const rest = await searchLogs(db, { ...q, status: '5xx', after: errors.next ?? '' });
    assert.equal(rest.data.length, 10);
    assert.ok((rest.data[0]?.at ?? 0) <= (errors.data[9]?.at ?? 0), 'the second page continues the first');
    const last = await searchLogs(db, { ...q, status: '5xx', after: rest.next ?? '' });
    assert.equal(last.data.length, 5, '25 errors in the window');
    assert.equal(last.next, null);
    const globex = await searchLogs(db, { ...q, consumer: 'globex', limit: 1000 });
    assert.equal(globex.data.length, 125);
    const old = await searchLogs(db, { ...q, since: now - 4 * DAY_MS, status: '500' });
    assert.equal(old.data.length, 1, 'an older day is its own table and still searchable');
  });

  it('retention drops whole days past the window', async () => {
    const now = Date.now();
    for (const ago of [10, 9, 1]) {
      for (const ddl of createDaySql('sqlite', dayOf(now - ago * DAY_MS))) await sql.raw(ddl).execute(db.db);
    }
    const dropped = await applyRetention(db, 7, now);
    assert.deepEqual(dropped.sort(), [dayOf(now - 10 * DAY_MS), dayOf(now - 9 * DAY_MS)].sort());
    const left = (await db.db.selectFrom('call_record_days').select('day').execute()).map((r) => r.day);
    assert.ok(left.includes(dayOf(now - DAY_MS)));
    assert.ok(!left.includes(dayOf(now - 10 * DAY_MS)));
    const tables = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name like 'call_records_%'`.execute(db.db);
    assert.ok(!tables.rows.some((t) => t.name === `call_records_${dayOf(now - 9 * DAY_MS)}`));
  });
});
