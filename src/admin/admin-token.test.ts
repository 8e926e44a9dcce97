import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/open-store.js';
import { base62, ensureAdminToken, hashAdminToken } from './admin-token.js';

test('base62 is fixed length and covers the extremes', () => {
  assert.equal(base62(new Uint8Array(32)).length, 43);
  assert.equal(base62(new Uint8Array(32).fill(255)).length, 43);
  assert.match(base62(new Uint8Array(32).fill(255)), /^[0-9A-Za-z]{43}$/);
});

test('first start mints a token, stores only its hash, writes a 0600 file; second start leaves both', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keyway-token-'));
  const store = await openStore({ dataDir: dir });
  try {
    const first = await ensureAdminToken(store, dir);
    assert.equal(first.created, true);
    assert.match(first.token ?? '', /^kwadm_[0-9A-Za-z]{43}$/);
    assert.equal(first.file, join(dir, 'admin-token'));
    assert.equal((await readFile(first.file, 'utf8')).trim(), first.token);
    assert.equal((await stat(first.file)).mode & 0o777, 0o600);
    assert.deepEqual(await store.findAdminToken(hashAdminToken(first.token ?? '')), { name: 'admin' });
    // Only the hash is kept: looking up the token itself as if it were a hash finds nothing.
    assert.equal(await store.findAdminToken(first.token ?? ''), undefined);

    const second = await ensureAdminToken(store, dir);
    assert.deepEqual(second, { file: first.file, created: false });
    assert.equal((await readFile(first.file, 'utf8')).trim(), first.token);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a stale world-readable file from an earlier store is replaced by a fresh 0600 one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keyway-token-'));
  await writeFile(join(dir, 'admin-token'), 'kwadm_stale\n', { mode: 0o644 });
  const store = await openStore({ dataDir: dir });
  try {
    const r = await ensureAdminToken(store, dir);
    assert.equal(r.created, true);
    assert.notEqual((await readFile(r.file, 'utf8')).trim(), 'kwadm_stale');
    assert.equal((await stat(r.file)).mode & 0o777, 0o600);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
