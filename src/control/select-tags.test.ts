/**
 * Additive applies (decK's `--select-tag`): a document with `_info.select_tags` manages only the resources
 * carrying every one of those tags — created with them, compared, deleted when the document drops them —
 * and leaves the rest of the workspace alone. Also: a deleted app says how many API keys go with it.
 * On SQLite and PostgreSQL (each test file isolates its own schema).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { KeywayError } from '../core/errors.js';
import { openStore, type OpenStoreOptions } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { rejectsWith } from '../../test/helpers/sqlite-store.js';
import type { ApplyResult, ConfigService } from './types.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const cli = { name: 'cli' };

const targets = [
  {
    name: 'sqlite',
    dir: '',
    setup(): OpenStoreOptions {
      this.dir = mkdtempSync(join(tmpdir(), 'keyway-select-'));
      return { dataDir: this.dir };
    },
    async teardown() {
      rmSync(this.dir, { recursive: true, force: true });
    },
  },
  {
    name: 'postgres',
    dir: `kw_select_test_${process.pid}_${Date.now()}`,
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

/** The whole workspace, as the README's first sections build it. */
function weatherDoc(): Record<string, unknown> {
  return {
    _format_version: '1',
    services: [
      {
        name: 'weather',
        url: 'http://127.0.0.1:9000',
        routes: [{ name: 'weather', paths: ['/weather'], plugins: [{ name: 'key-auth' }] }],
      },
    ],
    consumers: [{ username: 'acme', apps: [{ name: 'acme-dashboard' }] }],
  };
}

/** Another team's part of the same workspace, applied on its own. */
function aiDoc(routes: string[] = ['ai', 'ai-extra']): Record<string, unknown> {
  return {
    _format_version: '1',
    _info: { select_tags: ['ai'] },
    services: [
      {
        name: 'ai',
        url: 'http://127.0.0.1:9100',
        routes: routes.map((name) => ({ name, paths: [`/${name}`] })),
        plugins: [{ name: 'response-headers', config: { set: { 'x-team': 'ai' } } }],
      },
    ],
  };
}

const lines = (r: ApplyResult): string[] =>
  r.changes.map((c) => `${c.action} ${c.kind}:${c.key}${c.keys === undefined ? '' : ` keys=${c.keys}`}`);

for (const target of targets) {
  describe(`apply with select tags on ${target.name}`, () => {
    let store: Store;
    let svc: ConfigService;

    before(async () => {
      store = await openStore(target.setup());
      svc = createConfigService(store);
      await svc.apply(weatherDoc(), { dryRun: false, actor: cli });
    });
    after(async () => {
      await store.close();
      await target.teardown();
    });

    it('creates only what the document lists, tagged, and deletes nothing else', async () => {
      const dry = await svc.apply(aiDoc(), { dryRun: true, actor: cli });
      assert.deepEqual(lines(dry), [
        'create services:ai',
        'create routes:ai',
        'create routes:ai-extra',
        'create plugins:response-headers@service=ai',
      ]);
      await svc.apply(aiDoc(), { dryRun: false, actor: cli });
      assert.deepEqual((await svc.get('services', 'default', 'ai')).tags, ['ai']);
      assert.deepEqual((await svc.get('routes', 'default', 'ai')).tags, ['ai']);
      // The rest of the workspace is still there.
      assert.equal((await svc.get('routes', 'default', 'weather')).name, 'weather');
      assert.equal((await svc.get('apps', 'default', 'acme-dashboard')).consumer, 'acme');
    });

    it('applies the same document again as no change, and deletes only tagged resources it dropped', async () => {
      assert.deepEqual(lines(await svc.apply(aiDoc(), { dryRun: false, actor: cli })), []);
      const fewer = await svc.apply(aiDoc(['ai']), { dryRun: false, actor: cli });
      assert.deepEqual(lines(fewer), ['delete routes:ai-extra']);
      assert.equal((await svc.get('routes', 'default', 'weather')).name, 'weather');
    });

    it('keeps tags the document writes itself beside the selected ones', async () => {
      const doc = aiDoc(['ai']);
      const services = doc['services'] as Array<Record<string, unknown>>;
      if (services[0] !== undefined) services[0]['tags'] = ['team-ml'];
      assert.deepEqual(lines(await svc.apply(doc, { dryRun: false, actor: cli })), ['update services:ai']);
      assert.deepEqual((await svc.get('services', 'default', 'ai')).tags, ['team-ml', 'ai']);
      await svc.apply(aiDoc(['ai']), { dryRun: false, actor: cli });
    });

    it('refuses to take over a resource of the same name that lacks the tags, and changes nothing', async () => {
      const doc = aiDoc(['ai']);
      (doc['services'] as unknown[]).push({ name: 'weather', url: 'http://127.0.0.1:9200' });
      const v = await store.configVersion();
      await assert.rejects(
        svc.apply(doc, { dryRun: false, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/services/1/name']),
      );
      assert.equal(await store.configVersion(), v);
      assert.equal((await svc.get('services', 'default', 'weather')).url, 'http://127.0.0.1:9000');
    });

    it('lets references reach resources outside the selection, and checks they exist', async () => {
      const doc = {
        _format_version: '1',
        _info: { select_tags: ['extra'] },
        routes: [{ name: 'weather-v2', service: 'weather', paths: ['/v2/weather'] }],
        plugins: [{ name: 'response-headers', route: 'weather', config: { set: { 'x-extra': '1' } } }],
      };
      assert.deepEqual(lines(await svc.apply(doc, { dryRun: false, actor: cli })), [
        'create routes:weather-v2',
        'create plugins:response-headers@route=weather',
      ]);
      const broken = { ...doc, routes: [{ name: 'weather-v3', service: 'nowhere', paths: ['/v3'] }] };
      await assert.rejects(
        svc.apply(broken, { dryRun: true, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/routes/0/service']),
      );
    });

    it('refuses to delete a selected resource that something outside the selection still uses', async () => {
      // weather-v2 (tag "extra") uses service "weather"; a selection owning "weather" may not drop it.
      await svc.patch('services', 'default', 'weather', { tags: ['core'] }, cli);
      const empty = { _format_version: '1', _info: { select_tags: ['core'] } };
      await assert.rejects(svc.apply(empty, { dryRun: true, actor: cli }), (err: KeywayError) => {
        const messages = (err.details ?? []).map((d) => d.message).join('\n');
        assert.match(
          messages,
          /route "weather-v2", which this document does not manage, uses service "weather"/,
        );
        return true;
      });
      await svc.patch('services', 'default', 'weather', { tags: [] }, cli);
    });

    it('exports only the selection, without the selected tags, and that export applies back unchanged', async () => {
      const doc = (await svc.export('default', ['ai'])) as unknown as Record<string, unknown>;
      assert.deepEqual(doc['_info'], { select_tags: ['ai'] });
      const services = doc['services'] as Array<Record<string, unknown>>;
      assert.deepEqual(
        services.map((s) => s['name']),
        ['ai'],
      );
      assert.equal(services[0]?.['tags'], undefined, 'the selected tag is implied by _info');
      assert.equal(doc['consumers'], undefined);
      assert.deepEqual(lines(await svc.apply(doc, { dryRun: true, actor: cli })), []);
    });

    it('a whole-workspace apply shows how many API keys a deleted app takes with it', async () => {
      const app = await svc.get('apps', 'default', 'acme-dashboard');
      const key = (n: number) => ({
        id: randomUUID(),
        workspace: 'default',
        app_id: app.id,
        hash: `${target.name === 'sqlite' ? 'a' : 'b'}${n}`.padEnd(64, '0'),
        visible_id: `kw_live_${n}…`,
        env: 'live' as const,
        source: 'generated' as const,
      });
      await store.createApiKeys([key(1), key(2), key(3)], 'test');
      const revoked = (await store.listApiKeys('default', { app_id: app.id })).data[2];
      await store.revokeApiKey('default', revoked?.id ?? '', 'test');

      const doc = weatherDoc();
      doc['consumers'] = [{ username: 'acme' }];
      const dry = await svc.apply(doc, { dryRun: true, actor: cli });
      assert.ok(lines(dry).includes('delete apps:acme-dashboard keys=2'), lines(dry).join('\n'));
    });
  });
}
