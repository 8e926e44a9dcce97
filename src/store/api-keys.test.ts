/** The API-key store methods on both dialects (PostgreSQL in its own schema, dropped afterwards). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { KeywayError } from '../core/errors.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { NewApiKey, Store } from './types.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const targets = [
  {
    name: 'sqlite',
    dir: '',
    setup(): OpenStoreOptions {
      this.dir = mkdtempSync(join(tmpdir(), 'keyway-keys-'));
      return { dataDir: this.dir };
    },
    async teardown() {
      rmSync(this.dir, { recursive: true, force: true });
    },
  },
  {
    name: 'postgres',
    dir: `kw_keys_test_${process.pid}_${Date.now()}`,
    setup(): OpenStoreOptions {
      return { databaseUrl: PG_URL, dataDir: tmpdir(), schema: this.dir };
    },
    async teardown() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${this.dir}" cascade`);
      await client.end();
    },
  },
];

for (const target of targets) {
  describe(`api keys in the store on ${target.name}`, () => {
    let store: Store;
    let appId = '';
    const newKey = (n: number, extra: Partial<NewApiKey> = {}): NewApiKey => ({
      id: randomUUID(),
      workspace: 'default',
      app_id: appId,
      hash: n.toString(16).padStart(64, '0'),
      visible_id: `kw_live_${n}…`,
      env: 'live',
      source: 'generated',
      ...extra,
    });

    before(async () => {
      store = await openStore(target.setup());
      await store.transaction((tx) => tx.create('consumers', 'default', { username: 'acme' }));
      const app = await store.transaction((tx) =>
        tx.create('apps', 'default', { name: 'acme-dashboard', consumer: 'acme' }),
      );
      appId = app.id;
    });
    after(async () => {
      await store.close();
      await target.teardown();
    });

    it('creates, finds by hash, lists with pages, and never bumps the config version', async () => {
      const v = await store.configVersion();
      const [k1] = await store.createApiKeys(
        [newKey(1, { scopes: ['read'], metadata: { team: 'a' }, tier: 'gold' })],
        'tester',
      );
      await store.createApiKeys([newKey(2), newKey(3)], 'tester');
      assert.equal(await store.configVersion(), v);
      const found = await store.findApiKeyByHash(k1?.hash ?? '');
      assert.deepEqual(found?.scopes, ['read']);
      assert.deepEqual(found?.metadata, { team: 'a' });
      assert.equal(found?.tier, 'gold');
      assert.equal(found?.workspace, 'default');
      assert.equal(await store.findApiKeyByHash('f'.repeat(64)), undefined);
      const p1 = await store.listApiKeys('default', { app_id: appId, limit: 2 });
      assert.equal(p1.total, 3);
      assert.equal(p1.data.length, 2);
      const p2 = await store.listApiKeys('default', { app_id: appId, limit: 2, after: p1.next ?? '' });
      assert.equal(p2.data.length, 1);
      assert.equal(p2.next, null);
    });

    it('refuses a duplicate hash and an unknown app, keeping nothing of a failed batch', async () => {
      const isCode = (code: string) => (err: unknown) => err instanceof KeywayError && err.code === code;
      await assert.rejects(store.createApiKeys([newKey(10), newKey(1)], 't'), isCode('KW_ERR_CONFLICT'));
      assert.equal(await store.findApiKeyByHash(newKey(10).hash), undefined);
      await assert.rejects(
        store.createApiKeys([newKey(11, { app_id: 'nope' })], 't'),
        isCode('KW_ERR_NOT_FOUND'),
      );
    });

    it('revokes, rotates with a grace deadline, and feeds the changes to other nodes', async () => {
      const start = await store.apiKeyChangesSince(0);
      let cursor = start.cursor;
      while (true) {
        const page = await store.apiKeyChangesSince(cursor);
        if (page.hashes.length === 0) break;
        cursor = page.cursor;
      }
      const [k] = await store.createApiKeys([newKey(20)], 't');
      const id = k?.id ?? '';
      const until = new Date(Date.now() + 60_000).toISOString();
      const { previous, current } = await store.rotateApiKey('default', id, newKey(21), until, 't');
      assert.equal(previous.replaced_by, current.id);
      assert.equal(previous.grace_until, until);
      // A second rotation never extends the first deadline.
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const again = await store.rotateApiKey('default', id, newKey(22), later, 't');
      assert.equal(again.previous.grace_until, until);
      const rotated = await store.apiKeyChangesSince(cursor);
      assert.ok(rotated.hashes.includes(newKey(22).hash), 'the new key of a rotation is in the feed');
      assert.equal(rotated.ids.length, rotated.hashes.length);
      assert.ok(rotated.ids.every((id, i) => i === 0 || id > (rotated.ids[i - 1] ?? 0)));
      assert.equal(rotated.ids.at(-1), rotated.cursor);
      const revoked = await store.revokeApiKey('default', current.id, 't');
      assert.equal(revoked.status, 'revoked');
      assert.ok(revoked.revoked_at !== undefined);
      const feed = await store.apiKeyChangesSince(cursor);
      assert.ok(feed.hashes.includes(newKey(20).hash));
      assert.ok(feed.hashes.includes(newKey(21).hash));
      await assert.rejects(store.rotateApiKey('default', current.id, newKey(23), until, 't'), /revoked/);
    });

    it('lists every key hash in ascending pages (what a node loads its key filter from)', async () => {
      await store.createApiKeys([newKey(40), newKey(41), newKey(42)], 't');
      const all: string[] = [];
      let after = '';
      for (;;) {
        const page = await store.apiKeyHashesAfter(after, 2);
        all.push(...page);
        if (page.length < 2) break;
        after = page.at(-1) ?? '';
      }
      assert.deepEqual(all, [...all].sort());
      assert.equal(new Set(all).size, all.length);
      for (const n of [1, 20, 21, 22, 40, 41, 42]) assert.ok(all.includes(newKey(n).hash), `key ${n}`);
    });

    it('touches last_used_at in batches, keeps settings first-writer-wins, and audits without hashes', async () => {
      const [k] = await store.createApiKeys([newKey(30)], 't');
      const at = new Date().toISOString();
      await store.touchApiKeysLastUsed([{ id: k?.id ?? '', at }]);
      assert.equal((await store.getApiKey('default', k?.id ?? ''))?.last_used_at, at);
      assert.equal(await store.ensureSetting('x', 'one'), 'one');
      assert.equal(await store.ensureSetting('x', 'two'), 'one');
      const audit = await store.listAudit({ limit: 50 });
      const text = JSON.stringify(audit.data.filter((e) => e.kind === 'api_keys'));
      assert.ok(text.includes(k?.id ?? '?'));
      assert.ok(!text.includes(newKey(30).hash), 'no hash in the audit log');
    });

    it('deletes an app’s keys with the app', async () => {
      await store.transaction((tx) => tx.delete('apps', 'default', appId));
      assert.equal((await store.listApiKeys('default')).total, 0);
    });
  });
}
