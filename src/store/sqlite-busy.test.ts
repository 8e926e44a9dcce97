import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from './open-store.js';
import { retryWhileBusy, type BusyClock } from './sqlite-busy.js';

function busy(): Error {
  return Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
}

/** A clock that moves only when slept on, recording each wait. */
function fakeClock(): BusyClock & { waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: (ms) => {
      waits.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

describe('retryWhileBusy', () => {
  it('runs a statement refused with SQLITE_BUSY again, with growing waits', async () => {
    const clock = fakeClock();
    let calls = 0;
    const out = await retryWhileBusy(
      () => {
        calls++;
        if (calls <= 3) throw busy();
        return Promise.resolve('done');
      },
      1_000,
      clock,
    );
    assert.equal(out, 'done');
    assert.equal(calls, 4);
    assert.deepEqual(clock.waits, [1, 2, 4]);
  });

  it('gives up at the deadline with the last SQLITE_BUSY, never waiting past it', async () => {
    const clock = fakeClock();
    await assert.rejects(
      retryWhileBusy(() => Promise.reject(busy()), 100, clock),
      (err: unknown) => (err as { code?: string }).code === 'SQLITE_BUSY',
    );
    assert.equal(
      clock.waits.reduce((a, b) => a + b, 0),
      100,
    );
  });

  it('does not retry other errors, nor a stale snapshot', async () => {
    for (const code of ['SQLITE_CONSTRAINT', 'SQLITE_BUSY_SNAPSHOT']) {
      const clock = fakeClock();
      let calls = 0;
      await assert.rejects(
        retryWhileBusy(
          () => {
            calls++;
            throw Object.assign(new Error(code), { code });
          },
          1_000,
          clock,
        ),
      );
      assert.equal(calls, 1, code);
      assert.deepEqual(clock.waits, []);
    }
  });
});

describe('sqlite store while another connection holds the write lock', () => {
  it('waits on timers, so the event loop keeps turning, and writes once the lock is released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-busy-'));
    const store = await openStore({ dataDir: dir, timeoutMs: 60_000 });
    const other = new Database(join(dir, 'keyway.db'));
    try {
      other.exec('begin immediate');
      let written = false;
      const write = store
        .transaction((tx) => tx.create('services', 'default', { name: 'after-lock', url: 'http://x' }))
        .then(() => (written = true));
      // With the driver's busy timeout this loop would not run until the write had given up.
      let turns = 0;
      while (turns < 20) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        turns++;
      }
      assert.equal(written, false);
      other.exec('commit');
      await write;
      assert.equal(written, true);
      const found = await store.read((tx) => tx.get('services', 'default', 'after-lock'));
      assert.equal(found?.name, 'after-lock');
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with KW_ERR_STORE_UNAVAILABLE when the lock outlasts the store deadline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-busy-'));
    const store = await openStore({ dataDir: dir, timeoutMs: 50 });
    const other = new Database(join(dir, 'keyway.db'));
    try {
      other.exec('begin immediate');
      await assert.rejects(
        store.transaction((tx) => tx.create('services', 'default', { name: 'never', url: 'http://x' })),
        (err: unknown) => (err as { code?: string }).code === 'KW_ERR_STORE_UNAVAILABLE',
      );
      other.exec('rollback');
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
