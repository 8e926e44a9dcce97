import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { KeywayError } from '../core/errors.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './types.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

interface Target {
  name: string;
  setup(): Promise<OpenStoreOptions>;
  teardown(): Promise<void>;
}

function sqliteTarget(): Target {
  let dir = '';
  return {
    name: 'sqlite',
    setup: () => {
      dir = mkdtempSync(join(tmpdir(), 'keyway-store-'));
      return Promise.resolve({ dataDir: dir });
    },
    teardown: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresTarget(): Target {
  const schema = `kw_store_test_${process.pid}_${Date.now()}`;
  return {
    name: 'postgres',
    setup: () => Promise.resolve({ databaseUrl: PG_URL, dataDir: tmpdir(), schema }),
    teardown: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

function isCode(code: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof KeywayError, `expected KeywayError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe(`store on ${target.name}`, () => {
    let store: Store;
    let opts: OpenStoreOptions;

    before(async () => {
      opts = await target.setup();
      store = await openStore(opts);
    });
    after(async () => {
      await store.close();
      await target.teardown();
    });

    it('starts with the default workspace and is idempotent to migrate', async () => {
      const again = await openStore(opts);
      await again.migrate();
      const names = (await again.read((tx) => tx.listWorkspaces())).map((w) => w.name);
      assert.deepEqual(names, ['default']);
      assert.equal(again.dialect, target.name);
      await again.close();
      await store.ping();
    });

    it('creates, reads, updates and deletes resources', async () => {
      const v0 = await store.configVersion();
      const svc = await store.transaction((tx) =>
        tx.create('services', 'default', { name: 'weather', url: 'http://a:1', tags: ['x'] }),
      );
      assert.match(svc.id, /^[0-9a-f-]{36}$/);
      assert.equal(svc.name, 'weather');
      assert.ok(svc.created_at <= svc.updated_at);
      assert.equal(await store.configVersion(), v0 + 1);

      const byKey = await store.read((tx) => tx.get('services', 'default', 'weather'));
      const byId = await store.read((tx) => tx.get('services', 'default', svc.id));
      assert.deepEqual(byKey, svc);
      assert.deepEqual(byId, svc);

      const updated = await store.transaction((tx) =>
        tx.update('services', 'default', svc.id, { name: 'weather2', url: 'http://b:2' }),
      );
      assert.equal(updated.id, svc.id);
      assert.equal(updated.created_at, svc.created_at);
      assert.equal(updated.url, 'http://b:2');
      assert.equal(await store.read((tx) => tx.get('services', 'default', 'weather')), undefined);

      await store.transaction((tx) => tx.delete('services', 'default', svc.id));
      assert.equal(await store.read((tx) => tx.get('services', 'default', svc.id)), undefined);
      assert.equal(await store.configVersion(), v0 + 3);
      await assert.rejects(
        store.transaction((tx) => tx.delete('services', 'default', svc.id)),
        isCode('KW_ERR_NOT_FOUND'),
      );
      await assert.rejects(
        store.transaction((tx) => tx.update('services', 'default', svc.id, { name: 'n', url: 'http://x' })),
        isCode('KW_ERR_NOT_FOUND'),
      );
    });

    it('rejects duplicate keys with KW_ERR_CONFLICT', async () => {
      await store.transaction((tx) => tx.create('consumers', 'default', { username: 'alice' }));
      const v = await store.configVersion();
      await assert.rejects(
        store.transaction((tx) => tx.create('consumers', 'default', { username: 'alice' })),
        isCode('KW_ERR_CONFLICT'),
      );
      const bob = await store.transaction((tx) => tx.create('consumers', 'default', { username: 'bob' }));
      await assert.rejects(
        store.transaction((tx) => tx.update('consumers', 'default', bob.id, { username: 'alice' })),
        isCode('KW_ERR_CONFLICT'),
      );
      await assert.rejects(
        store.transaction((tx) => tx.createWorkspace({ name: 'default' })),
        isCode('KW_ERR_CONFLICT'),
      );
      assert.equal(await store.configVersion(), v + 1);
    });

    it('bumps the version once per writing transaction and never for reads or audit-only', async () => {
      const v = await store.configVersion();
      await store.transaction(async (tx) => {
        await tx.create('upstreams', 'default', { name: 'u1', targets: [{ target: 'a:1' }] });
        await tx.create('upstreams', 'default', { name: 'u2', targets: [{ target: 'b:1' }] });
      });
      assert.equal(await store.configVersion(), v + 1);
      await store.transaction((tx) => tx.get('upstreams', 'default', 'u1'));
      await store.transaction((tx) =>
        tx.audit({
          actor: 't',
          action: 'apply',
          workspace: 'default',
          kind: 'upstreams',
          key: '-',
          before: null,
          after: null,
        }),
      );
      assert.equal(await store.configVersion(), v + 1);
      const res = await store.write((tx) => tx.create('upstreams', 'default', { name: 'u3', targets: [] }));
      assert.equal(res.version, v + 2);
      const none = await store.write((tx) => tx.get('upstreams', 'default', 'u3'));
      assert.equal(none.version, undefined);
    });

    it('keeps nothing from a transaction that throws', async () => {
      const v = await store.configVersion();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.create('services', 'default', { name: 'doomed', url: 'http://x' });
          await tx.createWorkspace({ name: 'doomed-ws' });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.configVersion(), v);
      assert.equal(await store.read((tx) => tx.get('services', 'default', 'doomed')), undefined);
      assert.equal(await store.read((tx) => tx.getWorkspace('doomed-ws')), undefined);
    });

    it('discards writes made inside read()', async () => {
      const v = await store.configVersion();
      const made = await store.read((tx) =>
        tx.create('services', 'default', { name: 'scratch', url: 'http://x' }),
      );
      assert.equal(made.name, 'scratch');
      assert.equal(await store.read((tx) => tx.get('services', 'default', 'scratch')), undefined);
      assert.equal(await store.configVersion(), v);
    });

    it('deletes a workspace with everything in it', async () => {
      await store.transaction(async (tx) => {
        await tx.createWorkspace({ name: 'team-a', description: 'A', tags: ['t'] });
        await tx.create('services', 'team-a', { name: 's', url: 'http://x' });
        await tx.create('routes', 'team-a', { name: 'r', service: 's', paths: ['/r'] });
      });
      const ws = await store.read((tx) => tx.getWorkspace('team-a'));
      assert.equal(ws?.description, 'A');
      assert.deepEqual(ws?.tags, ['t']);
      const state = await store.read((tx) => tx.loadWorkspace('team-a'));
      assert.equal(state?.routes.length, 1);
      await store.transaction((tx) => tx.deleteWorkspace('team-a'));
      assert.equal(await store.read((tx) => tx.loadWorkspace('team-a')), undefined);
      // Recreating it finds no leftovers: the rows went with the workspace, not just out of view.
      await store.transaction((tx) => tx.createWorkspace({ name: 'team-a' }));
      const fresh = await store.read((tx) => tx.loadWorkspace('team-a'));
      assert.equal(fresh?.routes.length, 0);
      assert.equal(fresh?.services.length, 0);
      await assert.rejects(
        store.read((tx) => tx.list('services', 'nope')),
        isCode('KW_ERR_NOT_FOUND'),
      );
    });

    it('paginates, filters by name and by tag', async () => {
      await store.transaction(async (tx) => {
        await tx.createWorkspace({ name: 'paging' });
        for (let i = 0; i < 7; i++) {
          const tags = i % 2 === 0 ? ['even', 'a_b'] : ['odd', 'axb'];
          await tx.create('services', 'paging', { name: `svc-${i}`, url: 'http://x', tags });
        }
      });
      const p1 = await store.read((tx) => tx.list('services', 'paging', { limit: 3 }));
      assert.deepEqual(
        p1.data.map((s) => s.name),
        ['svc-0', 'svc-1', 'svc-2'],
      );
      assert.equal(p1.total, 7);
      assert.equal(p1.next, '3');
      const p3 = await store.read((tx) => tx.list('services', 'paging', { limit: 3, after: '6' }));
      assert.deepEqual(
        p3.data.map((s) => s.name),
        ['svc-6'],
      );
      assert.equal(p3.next, null);
      const even = await store.read((tx) => tx.list('services', 'paging', { tag: 'even' }));
      assert.deepEqual(
        even.data.map((s) => s.name),
        ['svc-0', 'svc-2', 'svc-4', 'svc-6'],
      );
      assert.equal(even.total, 4);
      // `_` is a LIKE wildcard: the filter must not let `a_b` match `axb`, nor `EVEN` match `even`.
      assert.equal((await store.read((tx) => tx.list('services', 'paging', { tag: 'a_b' }))).total, 4);
      assert.equal((await store.read((tx) => tx.list('services', 'paging', { tag: 'EVEN' }))).total, 0);
      assert.equal((await store.read((tx) => tx.list('services', 'paging', { tag: 'ev' }))).total, 0);
      const named = await store.read((tx) => tx.list('services', 'paging', { name: 'svc-3' }));
      assert.deepEqual(
        named.data.map((s) => s.name),
        ['svc-3'],
      );
      await assert.rejects(
        store.read((tx) => tx.list('services', 'paging', { limit: 1001 })),
        isCode('KW_ERR_VALIDATION'),
      );
      await assert.rejects(
        store.read((tx) => tx.list('services', 'paging', { after: 'x' })),
        isCode('KW_ERR_VALIDATION'),
      );
    });

    it('loads everything sorted by key at one version', async () => {
      const all = await store.loadAll();
      assert.equal(all.version, await store.configVersion());
      const paging = all.workspaces.find((w) => w.name === 'paging');
      assert.deepEqual(
        paging?.services.map((s) => s.name),
        ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5', 'svc-6'],
      );
      assert.deepEqual(
        all.workspaces.map((w) => w.name),
        [...all.workspaces.map((w) => w.name)].sort(),
      );
    });

    it('keeps AI providers, models and prompt APIs like every other kind', async () => {
      const sealed = 'kwenc1.aaaaaaaaaaaaaaaa.bbbb.cccccccccccccccccccccc';
      await store.transaction(async (tx) => {
        await tx.createWorkspace({ name: 'ai-ws' });
        await tx.create('ai_providers', 'ai-ws', {
          name: 'oa',
          type: 'openai',
          keys: [
            { id: 'k1', secret_enc: sealed },
            { id: 'k2', secret_env: 'OA_KEY', enabled: false },
          ],
          headers: { 'OpenAI-Organization': 'org-1' },
          prices: [{ model: 'gpt-4o', input: 2.5, output: 10 }],
          tags: ['llm'],
        });
        await tx.create('ai_models', 'ai-ws', {
          name: 'smart',
          targets: [{ provider: 'oa', model: 'gpt-4o' }],
        });
        await tx.create('prompt_apis', 'ai-ws', {
          name: 'sentiment',
          model: 'smart',
          template: 'Sentiment of {{text}}',
          variables: { text: { required: true, max_length: 2000 } },
          output: { format: 'json', schema: { type: 'object', properties: { label: { type: 'string' } } } },
        });
      });
      const state = await store.read((tx) => tx.loadWorkspace('ai-ws'));
      assert.deepEqual(state?.ai_providers[0]?.keys, [
        { id: 'k1', secret_enc: sealed },
        { id: 'k2', secret_env: 'OA_KEY', enabled: false },
      ]);
      assert.equal(state?.ai_models[0]?.targets[0]?.provider, 'oa');
      assert.deepEqual(state?.prompt_apis[0]?.output?.schema, {
        type: 'object',
        properties: { label: { type: 'string' } },
      });
      const byTag = await store.read((tx) => tx.list('ai_providers', 'ai-ws', { tag: 'llm' }));
      assert.equal(byTag.total, 1);
      const model = await store.read((tx) => tx.get('ai_models', 'ai-ws', 'smart'));
      assert.ok(model);
      await store.transaction((tx) =>
        tx.update('ai_models', 'ai-ws', model.id, {
          name: 'smart',
          targets: [{ provider: 'oa', model: 'gpt-4.1' }],
        }),
      );
      assert.equal(
        (await store.read((tx) => tx.get('ai_models', 'ai-ws', model.id)))?.targets[0]?.model,
        'gpt-4.1',
      );
      await assert.rejects(
        store.transaction((tx) =>
          tx.create('prompt_apis', 'ai-ws', { name: 'sentiment', model: 'smart', template: 'again' }),
        ),
        isCode('KW_ERR_CONFLICT'),
      );
      await store.transaction((tx) => tx.deleteWorkspace('ai-ws'));
      await store.transaction((tx) => tx.createWorkspace({ name: 'ai-ws' }));
      const fresh = await store.read((tx) => tx.loadWorkspace('ai-ws'));
      assert.deepEqual(
        [fresh?.ai_providers.length, fresh?.ai_models.length, fresh?.prompt_apis.length],
        [0, 0, 0],
        'the AI rows went with the workspace',
      );
    });

    it('records audit rows, newest first', async () => {
      await store.transaction(async (tx) => {
        await tx.audit({
          actor: 'alice',
          action: 'create',
          workspace: 'audit-ws',
          kind: 'services',
          key: 's1',
          before: null,
          after: { name: 's1' },
        });
        await tx.audit({
          actor: 'bob',
          action: 'delete',
          workspace: 'audit-ws',
          kind: 'services',
          key: 's1',
          before: { name: 's1' },
          after: null,
        });
      });
      const page = await store.listAudit({ workspace: 'audit-ws', limit: 1 });
      assert.equal(page.total, 2);
      assert.equal(page.next, '1');
      const first = page.data[0];
      assert.equal(first?.actor, 'bob');
      assert.deepEqual(first?.before, { name: 's1' });
      assert.equal(first?.after, null);
      assert.ok(typeof first?.id === 'number');
      const second = await store.listAudit({ workspace: 'audit-ws', after: page.next ?? undefined });
      assert.equal(second.data[0]?.actor, 'alice');
      assert.deepEqual(second.data[0]?.after, { name: 's1' });
    });

    it('stores admin tokens by hash', async () => {
      assert.equal(await store.hasAdminTokens(), false);
      await store.addAdminToken('ops', 'hash-1');
      assert.equal(await store.hasAdminTokens(), true);
      assert.deepEqual(await store.findAdminToken('hash-1'), { name: 'ops' });
      assert.equal(await store.findAdminToken('hash-2'), undefined);
      await assert.rejects(store.addAdminToken('ops2', 'hash-1'), (err: unknown) => {
        isCode('KW_ERR_CONFLICT')(err);
        assert.doesNotMatch((err as Error).message, /hash-1/);
        return true;
      });
    });

    it('a paged load gives exactly what loadAll gives, at one version, pausing between pages', async () => {
      // Two workspaces of 300 services and routes each: pages of 250 rows cross the workspace boundary.
      for (const ws of ['paged-a', 'paged-b']) {
        await store.transaction(async (tx) => {
          await tx.createWorkspace({ name: ws });
          for (let i = 0; i < 300; i++) {
            const name = `s-${String(i).padStart(3, '0')}`;
            await tx.create('services', ws, { name, url: 'http://x', tags: [ws] });
            await tx.create('routes', ws, { name, service: name, paths: [`/${name}`] });
          }
        });
      }
      const whole = await store.loadAll();
      let pauses = 0;
      const paged = await store.loadAll({
        pause: async () => {
          pauses++;
          // A write between two pages is not seen: the pages are one version.
          if (pauses === 2) {
            await store.transaction((tx) =>
              tx.create('services', 'paged-a', { name: 'written-meanwhile', url: 'http://x' }),
            );
          }
        },
      });
      assert.deepEqual(paged, whole);
      // services and routes: 3 pages each (250, 250 and 100 rows), then one page per other kind.
      assert.ok(pauses >= 6, `${pauses} pauses`);
      const later = await store.loadAll({ pause: () => Promise.resolve() });
      assert.equal(later.version, whole.version + 1);
      assert.deepEqual(later, await store.loadAll());
    });
  });
}

describe('store on sqlite, shared with another writer', () => {
  // The record thread writes call records into the same SQLite file from its own connection. A write
  // transaction that began deferred would read, let that writer commit, and then fail its own first
  // write with SQLITE_BUSY (its snapshot is stale; SQLite does not wait in that case): an admin change
  // answered 500 while traffic was being recorded. Writes therefore take the write lock when they begin.
  it('lets no other connection commit between the reads and the writes of a write transaction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-store-'));
    const store = await openStore({ dataDir: dir });
    const other = new Database(join(dir, 'keyway.db'));
    other.pragma('busy_timeout = 0');
    other.exec('create table if not exists other_writer (n integer)');
    try {
      let otherWrote: boolean | undefined;
      await store.transaction(async (tx) => {
        await tx.get('services', 'default', 'nothing');
        try {
          other.prepare('insert into other_writer (n) values (1)').run();
          otherWrote = true;
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'SQLITE_BUSY');
          otherWrote = false;
        }
        await tx.create('services', 'default', { name: 'after-the-other', url: 'http://x' });
      });
      assert.equal(otherWrote, false);
      assert.equal(
        (await store.read((tx) => tx.get('services', 'default', 'after-the-other')))?.name,
        'after-the-other',
      );
      // Reads do not hold the write lock: the other writer commits while one is open.
      await store.read(async (tx) => {
        await tx.get('services', 'default', 'after-the-other');
        other.prepare('insert into other_writer (n) values (2)').run();
      });
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store unavailable', () => {
  it('reports an unreachable PostgreSQL without the password', async () => {
    const secret = 'S3cr3t-p4ss';
    await assert.rejects(
      openStore({ databaseUrl: `postgres://keyway:${secret}@127.0.0.1:1/test`, dataDir: tmpdir() }),
      (err: unknown) => {
        isCode('KW_ERR_STORE_UNAVAILABLE')(err);
        const e = err as KeywayError;
        assert.doesNotMatch(e.message, new RegExp(secret));
        assert.doesNotMatch(JSON.stringify(e.toBody()), new RegExp(secret));
        assert.match(e.message, /127\.0\.0\.1:1/);
        return true;
      },
    );
  });

  it('rejects an unknown database URL scheme without echoing the password', async () => {
    await assert.rejects(
      openStore({ databaseUrl: 'mysql://u:pw123@h/db', dataDir: tmpdir() }),
      (err: unknown) => {
        isCode('KW_ERR_NODE_CONFIG')(err);
        assert.doesNotMatch((err as Error).message, /pw123/);
        return true;
      },
    );
  });
});

describe('migrations on postgres', () => {
  it('let several nodes start at once on an empty schema', async () => {
    const schema = `kw_migrate_test_${process.pid}_${Date.now()}`;
    const opts = { databaseUrl: PG_URL, dataDir: tmpdir(), schema };
    try {
      const stores = await Promise.all([openStore(opts), openStore(opts), openStore(opts)]);
      const names = await stores[0]?.read((tx) => tx.listWorkspaces());
      assert.deepEqual(
        names?.map((w) => w.name),
        ['default'],
      );
      assert.equal(await stores[1]?.configVersion(), 1);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  });
});
