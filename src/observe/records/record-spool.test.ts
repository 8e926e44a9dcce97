/**
 * The record spool on a real file: batches come back in order and intact, the size bound holds (a batch
 * that does not fit is refused whole), an emptied spool gives its space back, a frame cut short by a crash
 * is cut off, files are 0600, and a spool left by a process that is gone is taken over with its records
 * while one a live process holds is not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CallRecord } from './call-record.js';
import { BatchPacker, unpack, type PackedBatch } from './packed-batch.js';
import { RecordSpool } from './record-spool.js';

function record(i: number): CallRecord {
  return {
    at: 1_800_000_000_000 + i,
    request_id: `req-${i}`,
    workspace: 'default',
    service: 'svc',
    route: 'r',
    consumer: i % 2 === 0 ? 'acme' : null,
    app: null,
    credential: null,
    client_ip: '127.0.0.1',
    method: 'GET',
    path: `/x/${i}`,
    status: 200,
    upstream_status: 200,
    target: '127.0.0.1:9',
    latency_ms: 1.5,
    gateway_ms: 0.25,
    upstream_ms: 1.25,
    bytes_in: null,
    bytes_out: 10,
    auth: 'none',
    auth_reason: null,
    error_code: null,
    retries: 0,
    trace_id: null,
    rate_limit: null,
    model: null,
    provider: null,
    tokens_in: null,
    tokens_out: null,
    cost: null,
    capture: null,
    access: null,
  };
}

function batch(from: number, count: number): PackedBatch {
  const p = new BatchPacker(count);
  for (let i = 0; i < count; i++) p.add(record(from + i));
  return p.seal();
}

const ids = (b: PackedBatch | undefined): string[] =>
  b === undefined ? [] : unpack(b).map((r) => r.request_id);
const modeOf = (f: string): string => (statSync(f).mode & 0o777).toString(8);

describe('record spool', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'keyway-spool-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('gives batches back in order and intact, and its space back once empty', () => {
    const spool = RecordSpool.open(fresh(), 1 << 20);
    try {
      assert.ok(spool.append(batch(0, 3)));
      assert.ok(spool.append(batch(3, 2)));
      assert.equal(spool.records, 5);
      assert.deepEqual(ids(spool.peek()), ['req-0', 'req-1', 'req-2']);
      assert.deepEqual(unpack(spool.peek() ?? batch(0, 0))[0], record(0));
      assert.equal(spool.shift(), 3);
      assert.deepEqual(ids(spool.peek()), ['req-3', 'req-4']);
      assert.ok(spool.bytes > 0);
      spool.shift();
      assert.ok(spool.empty);
      assert.equal(spool.bytes, 0);
      assert.equal(statSync(spool.file).size, 0);
    } finally {
      spool.close();
    }
  });

  it('refuses a batch that would pass its bound, whole', () => {
    const spool = RecordSpool.open(fresh(), 4_096);
    try {
      let taken = 0;
      while (spool.append(batch(taken * 10, 10))) taken++;
      assert.ok(taken > 0);
      assert.equal(spool.records, taken * 10);
      assert.ok(spool.bytes <= 4_096);
      assert.equal(statSync(spool.file).size, spool.bytes);
    } finally {
      spool.close();
    }
  });

  it('is private: directory 0700, spool and lock 0600', () => {
    const dir = fresh();
    const spool = RecordSpool.open(dir, 1 << 20);
    try {
      spool.append(batch(0, 1));
      assert.equal(modeOf(join(dir, 'spool')), '700');
      for (const f of readdirSync(join(dir, 'spool'))) assert.equal(modeOf(join(dir, 'spool', f)), '600', f);
    } finally {
      spool.close();
    }
  });

  it('keeps what waits when closed; the next owner finds it, and cuts off a frame cut short', () => {
    const dir = fresh();
    const first = RecordSpool.open(dir, 1 << 20);
    first.append(batch(0, 4));
    first.append(batch(4, 4));
    const file = first.file;
    first.close();
    // A crash in the middle of the next frame: its header promises more bytes than follow.
    appendFileSync(file, Buffer.from([200, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3]));
    const second = RecordSpool.open(dir, 1 << 20);
    try {
      assert.equal(second.file, file);
      assert.equal(second.records, 8);
      assert.deepEqual(ids(second.peek()), ['req-0', 'req-1', 'req-2', 'req-3']);
      second.shift();
      assert.deepEqual(ids(second.peek()), ['req-4', 'req-5', 'req-6', 'req-7']);
      assert.ok(second.append(batch(8, 1)));
      second.shift();
      assert.deepEqual(ids(second.peek()), ['req-8']);
    } finally {
      second.close();
    }
  });

  it('takes over the spool of a process that is gone, never one a live process (or thread) holds', () => {
    const dir = fresh();
    // A process that ran and exited: its pid is free now.
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const spoolDir = join(dir, 'spool');
    const mine = RecordSpool.open(dir, 1 << 20);
    try {
      assert.equal(mine.file, join(spoolDir, 'records-0.spool'));
      // Another thread of this process (the same pid, started the same second): records-0 stays mine.
      const sibling = RecordSpool.open(dir, 1 << 20);
      assert.equal(sibling.file, join(spoolDir, 'records-1.spool'));
      sibling.close();
      // records-1 now locked by a process that has exited: taken over.
      writeFileSync(join(spoolDir, 'records-1.lock'), `${gone} 1`, { mode: 0o600 });
      const next = RecordSpool.open(dir, 1 << 20);
      try {
        assert.equal(next.file, join(spoolDir, 'records-1.spool'));
      } finally {
        next.close();
      }
    } finally {
      mine.close();
    }
  });
});
