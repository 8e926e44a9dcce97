/**
 * The record path after the observer: packing (every field survives the trip), the writer's
 * back-pressure (a stuck sink costs records, counted, never a blocked push), the record thread with the
 * SQLite store sink, search over day tables, rollups, the file, HTTP and stdout sinks, and retention
 * dropping whole days.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { RECORD_COLUMNS, type CallRecord } from '../../src/observe/records/call-record.js';
import { BlockScratch, decodeBlock, encodeBlock } from '../../src/observe/store/block-codec.js';
import { BatchPacker, unpack, type PackedBatch } from '../../src/observe/records/packed-batch.js';
import { RecordBuffer } from '../../src/observe/records/record-buffer.js';
import { bloomOf, mayContain } from '../../src/observe/store/request-bloom.js';
import { RecordThread } from '../../src/observe/records/record-thread.js';
import { RecordWriter } from '../../src/observe/records/record-writer.js';
import type { RecordSink } from '../../src/observe/sinks/sink.js';
import { searchLogs } from '../../src/observe/store/log-search.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { createDaySql, DAY_MS, dayOf } from '../../src/observe/store/record-tables.js';
import { applyRetention } from '../../src/observe/store/retention.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { StreamSink } from '../../src/observe/sinks/stream-sink.js';
import { startServer } from '../helpers/upstream.js';
import { record } from './support.js';

function packed(records: readonly CallRecord[]): PackedBatch {
  const p = new BatchPacker(records.length);
  for (const r of records) p.add(r);
  return p.seal();
}

describe('packed batches', () => {
  it('carry every field of every record, nulls and empty strings as they were', () => {
    const full = record({
      upstream_status: 502,
      upstream_ms: 1.25,
      bytes_in: 0,
      auth: 'denied',
      auth_reason: 'checksum',
      error_code: 'KW_ERR_AUTH_INVALID',
      retries: 2,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      rate_limit: '"gold";r=99;t=1',
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens_in: 12,
      tokens_out: 7,
      cost: 0.000123,
      capture: '{"request":{"x":"été ✓ \\u0000"}}',
      path: '/wéather/✓',
    });
    const bare = record({
      workspace: null,
      service: null,
      route: null,
      consumer: null,
      app: null,
      credential: null,
      upstream_status: null,
      target: null,
      upstream_ms: null,
      bytes_in: null,
      bytes_out: null,
      request_id: '',
      path: '',
      client_ip: '',
    });
    const many = Array.from({ length: 300 }, (_, i) => record({ consumer: `c${i % 7}`, path: `/p/${i}` }));
    const all = [full, bare, ...many, full];
    const out = unpack(packed(all));
    assert.equal(out.length, all.length);
    for (let i = 0; i < all.length; i++) {
      for (const col of RECORD_COLUMNS) assert.deepEqual(out[i]?.[col], all[i]?.[col], `record ${i}: ${col}`);
    }
  });

  it('copy the record when it is added: the observer fills the same object again', () => {
    const p = new BatchPacker(2);
    const r = record({ path: '/first', status: 200 });
    p.add(r);
    r.path = '/second';
    r.status = 404;
    p.add(r);
    assert.deepEqual(
      unpack(p.seal()).map((x) => [x.path, x.status]),
      [
        ['/first', 200],
        ['/second', 404],
      ],
    );
  });
});

describe('packed batches, reused', () => {
  it('leave nothing of an earlier batch in arrays packed again', () => {
    const first = new BatchPacker(4);
    for (let i = 0; i < 4; i++)
      first.add(record({ path: `/a-long-path/${i}`.repeat(40), consumer: `c${i}` }));
    const spent = first.seal();
    const second = new BatchPacker(4, spent);
    const rows = [
      record({ path: '/x', consumer: null, upstream_ms: null }),
      record({ path: '', trace_id: 't' }),
    ];
    for (const r of rows) second.add(r);
    assert.deepEqual(unpack(second.seal()), rows);
  });
});

describe('blocks', () => {
  it('encode and decode through one scratch buffer, a large block then a small one', () => {
    const scratch = new BlockScratch();
    const big = Array.from({ length: 300 }, (_, i) => record({ path: `/big/${i}`.repeat(20) }));
    const small = [record({ path: '/small', capture: '{"x":"✓"}' })];
    for (const batch of [big, small, big]) {
      const bytes = Buffer.from(encodeBlock(packed(batch), scratch));
      assert.deepEqual(unpack(decodeBlock(bytes)), batch);
    }
  });

  it('keep every value exactly, whatever width each column needs', () => {
    const at = Date.now();
    const rows = [
      record({ at, status: 200, latency_ms: 1.234, gateway_ms: 0.001, upstream_ms: null, retries: 0 }),
      record({ at: at + 70_000, status: 503, latency_ms: 70_000.5, upstream_ms: 2.5, bytes_out: 2 ** 31 }),
      record({ at: at + 1, status: 204, bytes_in: null, cost: 0.000123456789, tokens_in: 1 / 1024 }),
      record({ at: at - 2 ** 33, status: 99, latency_ms: 0, bytes_in: -5, tokens_out: 2 ** 40 }),
      record({ consumer: null, app: `app-${'x'.repeat(300)}`, path: '', capture: null, cost: -0.5 }),
    ];
    assert.deepEqual(unpack(decodeBlock(encodeBlock(packed(rows)))), rows);
    const constant = Array.from({ length: 50 }, () => record({ at }));
    assert.deepEqual(unpack(decodeBlock(encodeBlock(packed(constant)))), constant);
    assert.deepEqual(unpack(decodeBlock(encodeBlock(packed([])))), []);
  });

  it('take under a third of the packed size for a typical batch', () => {
    const at = Date.now();
    const rows = Array.from({ length: 2000 }, (_, i) =>
      record({
        at: at + Math.floor(i / 3),
        request_id: randomUUID(),
        latency_ms: 1 + (i % 97) / 1000,
        gateway_ms: 0.2 + (i % 13) / 1000,
        upstream_ms: 0.8 + (i % 11) / 1000,
        status: i % 50 === 0 ? 500 : 200,
      }),
    );
    const b = packed(rows);
    const packedBytes = b.nums.byteLength + b.refs.byteLength + b.lens.byteLength + b.textLength * 2;
    const bytes = encodeBlock(b);
    assert.ok(bytes.length * 3 < packedBytes, `${bytes.length} bytes for ${packedBytes} packed`);
    assert.ok(bytes.length / rows.length < 80, `${bytes.length / rows.length} bytes a record`);
    assert.deepEqual(unpack(decodeBlock(bytes)), rows);
  });

  it('still read blocks of the first layout (every column at full width)', () => {
    const rows = [record({ upstream_ms: null, capture: '{"x":"✓"}' }), record({ consumer: null })];
    assert.deepEqual(unpack(decodeBlock(firstLayout(packed(rows)))), rows);
  });
});

/** A block as version 1 wrote it: the packed arrays as they are (row by row), then dict and text. */
function firstLayout(b: PackedBatch): Buffer {
  const dict = Buffer.from(JSON.stringify(b.dict), 'utf8');
  const units = b.chars.subarray(0, b.textLength);
  const wide = units.some((u) => u > 0xff);
  const text = wide
    ? Buffer.from(units.buffer, units.byteOffset, units.length * 2)
    : Buffer.from(Array.from(units));
  const head = Buffer.alloc(20);
  head.writeUInt8(1, 0);
  head.writeUInt8(b.nums.length / Math.max(1, b.count), 1);
  head.writeUInt8(b.refs.length / Math.max(1, b.count), 2);
  head.writeUInt8(b.lens.length / Math.max(1, b.count), 3);
  head.writeUInt8(wide ? 1 : 0, 4);
  head.writeUInt32LE(b.count, 8);
  head.writeUInt32LE(dict.length, 12);
  head.writeUInt32LE(units.length, 16);
  const bytesOf = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([head, bytesOf(b.nums), bytesOf(b.refs), bytesOf(b.lens), dict, text]);
}

describe('record writer back-pressure', () => {
  it('drops and counts when the ring is full, and never blocks a push', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const written: CallRecord[] = [];
    const stuck: RecordSink = {
      name: 'stuck',
      async write(batch) {
        await gate;
        written.push(...batch.records());
      },
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const ring = new RecordBuffer({ capacity: 10, batchSize: 5 });
    const writer = new RecordWriter(
      ring,
      { local: [stuck] },
      { flushIntervalMs: 10_000, onSinkError: () => undefined },
    );
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

describe('record writer batch sizes', () => {
  it('ships full batches while a write is in flight, and the rest on flush', async () => {
    // A sink slower than the traffic: each write waits until the test lets it go. The records that
    // arrive meanwhile must wait for their batch to fill, not go out in whatever-arrived-meanwhile bits.
    const sizes: number[] = [];
    const releases: Array<() => void> = [];
    const slow: RecordSink = {
      name: 'slow',
      async write(batch) {
        sizes.push(batch.count);
        await new Promise<void>((resolve) => releases.push(resolve));
      },
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const ring = new RecordBuffer({ capacity: 1_000, batchSize: 10, onBatchReady: () => writer.kick() });
    const writer = new RecordWriter(
      ring,
      { local: [slow] },
      { flushIntervalMs: 60_000, onSinkError: () => undefined },
    );
    const waitForWrite = async (n: number): Promise<void> => {
      while (releases.length < n) await new Promise((resolve) => setImmediate(resolve));
    };
    for (let i = 0; i < 10; i++) ring.push(record());
    await waitForWrite(1);
    for (let i = 0; i < 3; i++) ring.push(record());
    releases.shift()?.();
    // The kicked run ends once no full batch waits: the 3 records stay in the open batch.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sizes, [10]);
    for (let i = 0; i < 7 + 4; i++) ring.push(record());
    await waitForWrite(1);
    assert.deepEqual(sizes, [10, 10]);
    const flushed = writer.flush();
    releases.shift()?.();
    await waitForWrite(1);
    releases.shift()?.();
    await flushed;
    assert.deepEqual(sizes, [10, 10, 4]);
    assert.equal(ring.length, 0);
  });
});

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

for (const dialect of ['sqlite', 'postgres'] as const)
  describe(`record store on ${dialect}`, () => {
    let dir: string;
    let store: Store;
    let db: ObserveDb;
    // PostgreSQL in a schema of its own, dropped afterwards.
    const schema = `kw_records_${process.pid}_${Date.now()}`;
    const where = () =>
      dialect === 'postgres' ? { dataDir: dir, databaseUrl: PG_URL, schema } : { dataDir: dir };
    const thread = (sinks: Array<'store'>) =>
      new RecordThread({ ...where(), sinks, rollupFlushMs: 60_000 }, (msg, error) =>
        assert.fail(`${msg}: ${error}`),
      );

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'keyway-records-'));
      store = await openStore(where());
      db = openObserveDb(where());
    });
    after(async () => {
      await db.close();
      await store.close();
      if (dialect === 'postgres') {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
    });

    it('writes batches as blocks and finds records by filter, newest first, page by page', async () => {
      const t = thread(['store']);
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
      const outcomes = await t.write(packed(batch));
      assert.deepEqual(outcomes, [{ sink: 'store' }]);
      await t.close();

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
      assert.deepEqual(
        (await searchLogs(db, { ...q, consumer: 'nobody' })).data,
        [],
        'a consumer no block holds reads no block',
      );
      const old = await searchLogs(db, { ...q, since: now - 4 * DAY_MS, status: '500' });
      assert.equal(old.data.length, 1, 'an older day is its own table and still searchable');
    });

    it('pages across many blocks both ways, finds a request id, and splits a batch at midnight', async () => {
      const t = thread(['store']);
      const midnight = Date.UTC(2031, 4, 2);
      const ids: string[] = [];
      // Six batches of 50 calls, a second apart, around midnight: the third batch crosses it.
      for (let b = 0; b < 6; b++) {
        const batch: CallRecord[] = [];
        for (let i = 0; i < 50; i++) {
          const at = midnight - 150_000 + (b * 50 + i) * 1000;
          const r = record({ at, consumer: i % 5 === 0 ? 'rare' : 'common', path: `/n/${b * 50 + i}` });
          ids.push(r.request_id);
          batch.push(r);
        }
        await t.write(packed(batch));
      }
      await t.close();
      const q = { since: midnight - DAY_MS, until: midnight + DAY_MS, limit: 7, consumer: 'rare' };
      for (const order of ['desc', 'asc'] as const) {
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const p = await searchLogs(db, { ...q, order, ...(after === undefined ? {} : { after }) });
          seen.push(...p.data.map((r) => r.path));
          after = p.next ?? undefined;
        } while (after !== undefined);
        const all = Array.from({ length: 300 }, (_, n) => n)
          .filter((n) => n % 5 === 0)
          .map((n) => `/n/${n}`);
        assert.deepEqual(
          seen,
          order === 'asc' ? all : all.reverse(),
          `${order}: every record once, in order`,
        );
      }
      const wanted = ids[123] ?? '';
      const found = await searchLogs(db, { ...q, consumer: undefined, request_id: wanted, order: 'desc' });
      assert.deepEqual(
        found.data.map((r) => [r.request_id, r.path]),
        [[wanted, '/n/123']],
      );
      const days = (await db.db.selectFrom('call_record_days').select('day').execute()).map((r) => r.day);
      assert.ok(
        days.includes(dayOf(midnight - 1)) && days.includes(dayOf(midnight)),
        'both days have tables',
      );
    });

    it('retention drops whole days past the window', async () => {
      const now = Date.now();
      for (const ago of [10, 9, 1]) {
        for (const ddl of createDaySql(dialect, dayOf(now - ago * DAY_MS))) await sql.raw(ddl).execute(db.db);
      }
      const dropped = await applyRetention(db, 7, now);
      assert.ok(dropped.includes(dayOf(now - 10 * DAY_MS)) && dropped.includes(dayOf(now - 9 * DAY_MS)));
      assert.ok(!dropped.includes(dayOf(now - DAY_MS)));
      const left = (await db.db.selectFrom('call_record_days').select('day').execute()).map((r) => r.day);
      assert.ok(left.includes(dayOf(now - DAY_MS)));
      assert.ok(!left.includes(dayOf(now - 10 * DAY_MS)));
      const tables = (
        dialect === 'sqlite'
          ? await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'table' and name like 'call_%'`.execute(db.db)
          : await sql<{
              name: string;
            }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(
              db.db,
            )
      ).rows.map((r) => r.name);
      const gone = dayOf(now - 9 * DAY_MS);
      assert.deepEqual(
        tables.filter((n) => n.endsWith(gone)),
        [],
        'blocks and keys of a dropped day are gone',
      );
      assert.ok(tables.includes(`call_blocks_${dayOf(now - DAY_MS)}`));
    });

    it('folds rollups on the record thread and stores them on flush', async () => {
      const t = thread([]);
      const at = Date.UTC(2030, 0, 1, 12, 0, 30);
      const batch = [
        record({ at, route: 'rollup-route', status: 200, latency_ms: 4 }),
        record({ at, route: 'rollup-route', status: 200, latency_ms: 6 }),
        record({ at, route: 'rollup-route', status: 503, latency_ms: 1 }),
      ];
      assert.deepEqual(await t.write(packed(batch)), [], 'no sink, only rollups');
      await t.flush();
      const rows = await db.db
        .selectFrom('call_rollups')
        .select(['status_class', 'count', 'latency_sum'])
        .where('grain', '=', 'm')
        .where('route', '=', 'rollup-route')
        .orderBy('status_class')
        .execute();
      await t.close();
      assert.deepEqual(
        rows.map((r) => [Number(r.status_class), Number(r.count), Number(r.latency_sum)]),
        [
          [2, 2, 10],
          [5, 1, 1],
        ],
      );
    });
  });

describe('file, HTTP and stdout sinks', () => {
  it('write JSON lines to a file and JSON arrays to a collector from the record thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyway-sinks-'));
    const store = await openStore({ dataDir: dir });
    const received: CallRecord[][] = [];
    const collector = await startServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as CallRecord[]);
        res.end();
      });
    });
    const file = join(dir, 'records.jsonl');
    const thread = new RecordThread(
      {
        dataDir: dir,
        sinks: ['file', 'http'],
        file,
        httpUrl: `http://${collector.address}/intake`,
        rollupFlushMs: 60_000,
      },
      (msg, error) => assert.fail(`${msg}: ${error}`),
    );
    try {
      const batch = [record({ path: '/a' }), record({ path: '/b', consumer: null })];
      const outcomes = await thread.write(packed(batch));
      assert.deepEqual(outcomes.map((o) => [o.sink, o.error]).sort(), [
        ['file', undefined],
        ['http', undefined],
      ]);
      await thread.close();
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      assert.deepEqual(
        lines.map((l) => JSON.parse(l) as CallRecord),
        batch,
      );
      assert.deepEqual(received, [batch]);
    } finally {
      await collector.close();
      await store.close();
    }
  });

  it('report a collector that refuses: the batch is counted lost, the next one still goes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyway-sinks-'));
    const store = await openStore({ dataDir: dir });
    let status = 503;
    const collector = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status).end());
    });
    const thread = new RecordThread(
      { dataDir: dir, sinks: ['http'], httpUrl: `http://${collector.address}/`, rollupFlushMs: 60_000 },
      () => undefined,
    );
    const ring = new RecordBuffer({ capacity: 100, batchSize: 10 });
    const lost: Array<[string, number]> = [];
    const writer = new RecordWriter(
      ring,
      { thread },
      { flushIntervalMs: 60_000, onSinkError: (sink, _err, n) => lost.push([sink, n]) },
    );
    try {
      for (let i = 0; i < 3; i++) ring.push(record());
      await writer.flush();
      status = 204;
      for (let i = 0; i < 4; i++) ring.push(record());
      await writer.flush();
      assert.deepEqual(lost, [['http', 3]]);
      assert.equal(writer.failed, 3);
      assert.equal(writer.written, 4);
    } finally {
      await writer.close();
      await collector.close();
      await store.close();
    }
  });

  it('write JSON lines to stdout on the proxy thread, beside the record thread', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const ring = new RecordBuffer({ capacity: 100, batchSize: 2 });
    const writer = new RecordWriter(
      ring,
      { local: [StreamSink.stdout(out)] },
      { flushIntervalMs: 60_000, onSinkError: (sink, err) => assert.fail(`${sink}: ${String(err)}`) },
    );
    const batch = [record({ path: '/x' }), record({ path: '/y' }), record({ path: '/z' })];
    for (const r of batch) ring.push(r);
    await writer.close();
    assert.deepEqual(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as CallRecord),
      batch,
    );
  });
});

describe('request id Bloom filters', () => {
  it('hold every id put in, and few of the others', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `${randomUUID()}-${i}`);
    const bloom = bloomOf(ids);
    assert.ok(
      ids.every((id) => mayContain(bloom, id)),
      'no false negatives',
    );
    const others = Array.from({ length: 20_000 }, () => randomUUID());
    const hits = others.filter((id) => mayContain(bloom, id)).length;
    assert.ok(hits / others.length < 0.03, `false positives ${hits} of ${others.length}`);
    assert.equal(mayContain(bloomOf([]), 'x'), false);
  });
});
