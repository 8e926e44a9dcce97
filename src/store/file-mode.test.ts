/**
 * Store files are the operator's alone: keyway.db and its -wal/-shm files hold key hashes, sealed
 * provider keys and the audit log, so they are created 0600 (never world-readable), and files left
 * 0644 by an earlier version are tightened when the store opens them.
 */
import assert from 'node:assert/strict';
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from './open-store.js';

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

describe('store files are private (0600)', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'keyway-mode-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a new keyway.db and its -wal and -shm files are 0600', async () => {
    const dir = fresh();
    const store = await openStore({ dataDir: dir });
    try {
      await store.transaction((tx) => tx.createWorkspace({ name: 'mode-check' }));
      for (const f of ['keyway.db', 'keyway.db-wal', 'keyway.db-shm']) {
        assert.equal(modeOf(join(dir, f)), '600', f);
      }
    } finally {
      await store.close();
    }
  });

  it('a keyway.db left 0644 by an earlier version is made 0600, with its -wal and -shm', async () => {
    const dir = fresh();
    const file = join(dir, 'keyway.db');
    closeSync(openSync(file, 'w', 0o644));
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (x)');
    const files = ['keyway.db', 'keyway.db-wal', 'keyway.db-shm'];
    for (const f of files) chmodSync(join(dir, f), 0o644);
    const store = await openStore({ dataDir: dir });
    try {
      for (const f of files) assert.equal(modeOf(join(dir, f)), '600', f);
    } finally {
      await store.close();
      db.close();
    }
  });

  it('the data directory it creates is 0700 and holds nothing others can read', async () => {
    const dir = join(fresh(), 'nested', 'data');
    const store = await openStore({ dataDir: dir });
    await store.transaction((tx) => tx.createWorkspace({ name: 'mode-check' }));
    await store.close();
    assert.equal(modeOf(dir), '700');
    for (const f of readdirSync(dir)) assert.equal(modeOf(join(dir, f)), '600', f);
  });
});
