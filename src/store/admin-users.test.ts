/** Admin users and their tokens in the store, on SQLite and on PostgreSQL (its own schema, dropped after). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { KeywayError } from '../core/errors.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './types.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `kw_admin_users_test_${process.pid}_${Date.now()}`;
const dir = mkdtempSync(join(tmpdir(), 'keyway-admin-users-'));

const targets: Array<{ name: string; opts: OpenStoreOptions; drop(): Promise<void> }> = [
  { name: 'sqlite', opts: { dataDir: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) },
  {
    name: 'postgres',
    opts: { databaseUrl: PG_URL, dataDir: tmpdir(), schema },
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  },
];

for (const target of targets) {
  describe(`admin users on ${target.name}`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(target.opts);
    });
    after(async () => {
      await store.close();
      await target.drop();
    });

    it('keeps users, grants, tokens by hash, revocations and login state, with audit rows', async () => {
      const user = await store.admins.create(
        { name: 'ops', grants: [{ workspace: 'default', role: 'viewer' }], password_hash: 'scrypt$x' },
        'admin',
      );
      assert.equal(user.password, true);
      await assert.rejects(store.admins.create({ name: 'ops', grants: [] }, 'admin'), (err: unknown) => {
        assert.ok(err instanceof KeywayError && err.code === 'KW_ERR_CONFLICT');
        return true;
      });
      const token = await store.admins.addToken(
        'ops',
        {
          name: 't',
          hash: 'h-1',
          kind: 'token',
          created_at: '2026-01-01T00:00:00.000Z',
          expires_at: '2027-01-01T00:00:00.000Z',
        },
        'admin',
      );
      const found = await store.admins.findToken('h-1');
      assert.equal(found?.id, token.id);
      assert.deepEqual(found?.user?.grants, [{ workspace: 'default', role: 'viewer' }]);
      assert.equal(found?.expires_at, '2027-01-01T00:00:00.000Z');

      await store.admins.setLoginState('ops', 3, '2026-01-01T00:15:00.000Z');
      const login = await store.admins.login('ops');
      assert.equal(login?.failed_logins, 3);
      assert.equal(login?.password_hash, 'scrypt$x');
      await store.admins.update('ops', { password_hash: 'scrypt$y' }, 'admin');
      assert.equal((await store.admins.login('ops'))?.failed_logins, 0);

      const revoked = await store.admins.revokeToken('ops', token.id, 'admin');
      assert.ok(revoked.revoked_at !== undefined);
      assert.ok((await store.admins.findToken('h-1'))?.revoked_at !== undefined);

      const audit = await store.listAudit({ workspace: '*' });
      assert.deepEqual(
        audit.data.map((e) => `${e.action} ${e.kind}`),
        ['update admin_tokens', 'update admin_users', 'create admin_tokens', 'create admin_users'],
      );
      // Neither the password hash nor the token hash reaches the audit log.
      assert.ok(!JSON.stringify(audit).includes('scrypt$'));
      assert.ok(!JSON.stringify(audit).includes('h-1'));

      await store.admins.delete('ops', 'admin');
      assert.equal(await store.admins.findToken('h-1'), undefined);
      assert.deepEqual(await store.admins.list(), []);
    });
  });
}
