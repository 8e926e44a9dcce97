import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { KeywayError } from '../core/errors.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { rejectsWith, sqliteStore } from '../../test/helpers/sqlite-store.js';
import type { ConfigService } from './types.js';

const cli = { name: 'cli' };

function sampleDoc(): Record<string, unknown> {
  return {
    _format_version: '1',
    upstreams: [
      {
        name: 'weather-pool',
        targets: [{ target: '127.0.0.1:9001' }, { target: '127.0.0.1:9002', weight: 50 }],
      },
    ],
    services: [
      {
        name: 'weather',
        url: 'http://weather-pool/v1',
        routes: [
          {
            name: 'forecast',
            paths: ['/forecast'],
            methods: ['GET'],
            plugins: [{ name: 'response-headers', config: { set: { 'x-a': '1' } } }],
          },
          { name: 'alerts', paths: ['/alerts'] },
        ],
        plugins: [{ name: 'request-termination', enabled: false }],
      },
    ],
    consumers: [{ username: 'alice', tags: ['gold'], plugins: [{ name: 'response-headers' }] }],
    plugins: [{ name: 'response-headers', config: { remove: ['server'] } }],
  };
}

describe('declarative apply and export', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let svc: ConfigService;

  before(async () => {
    ({ store, cleanup } = await sqliteStore());
    svc = createConfigService(store);
  });
  after(() => cleanup());

  it('creates everything in one transaction', async () => {
    const v = await store.configVersion();
    const res = await svc.apply(sampleDoc(), { dryRun: false, actor: cli });
    assert.equal(res.workspace, 'default');
    assert.equal(res.version, v + 1, 'one apply, one version');
    assert.ok(res.changes.every((c) => c.action === 'create'));
    assert.deepEqual(
      res.changes.map((c) => `${c.kind}:${c.key}`),
      [
        'upstreams:weather-pool',
        'services:weather',
        'routes:alerts',
        'routes:forecast',
        'consumers:alice',
        'plugins:request-termination@service=weather',
        'plugins:response-headers@consumer=alice',
        'plugins:response-headers@global',
        'plugins:response-headers@route=forecast',
      ],
    );
    const route = await svc.get('routes', 'default', 'forecast');
    assert.equal(route.service, 'weather');
    const plugin = await svc.get('plugins', 'default', 'response-headers@route=forecast');
    assert.deepEqual(plugin.config, { set: { 'x-a': '1' }, add: {}, remove: [] });
    const audit = await store.listAudit({ workspace: 'default' });
    assert.equal(audit.total, 9);
    assert.ok(audit.data.every((a) => a.actor === 'cli' && a.action === 'create'));
  });

  it('writes nothing when the document matches the store', async () => {
    const v = await store.configVersion();
    const res = await svc.apply(sampleDoc(), { dryRun: false, actor: cli });
    assert.deepEqual(res.changes, []);
    assert.equal(res.version, v);
    assert.equal(await store.configVersion(), v);
    assert.equal((await store.listAudit({ workspace: 'default' })).total, 9);
  });

  it('round-trips through export with zero changes', async () => {
    const exported = await svc.export('default');
    assert.deepEqual(exported, await svc.export('default'));
    assert.equal(JSON.stringify(exported).includes('"id"'), false);
    assert.equal(JSON.stringify(exported).includes('created_at'), false);
    const services = exported.services ?? [];
    assert.equal(services[0]?.routes?.length, 2, 'routes nest under their service');
    assert.equal(services[0]?.plugins?.length, 1, 'service plugin nests under the service');
    assert.equal(exported.consumers?.[0]?.plugins?.length, 1);
    assert.equal(exported.plugins?.length, 1, 'only the global plugin stays top-level');
    assert.equal(exported.routes, undefined);
    const res = await svc.apply(JSON.parse(JSON.stringify(exported)) as unknown, {
      dryRun: false,
      actor: cli,
    });
    assert.deepEqual(res.changes, []);
  });

  it('dry run reports the diff and writes nothing', async () => {
    const doc = sampleDoc();
    const services = doc['services'] as Array<{ routes: Array<Record<string, unknown>> }>;
    const firstRoute = services[0]?.routes[0];
    assert.ok(firstRoute);
    firstRoute['paths'] = ['/forecast', '/fc'];
    doc['consumers'] = [];
    const v = await store.configVersion();
    const res = await svc.apply(doc, { dryRun: true, actor: cli });
    assert.equal(res.dry_run, true);
    assert.equal(res.version, v);
    assert.deepEqual(
      res.changes.map((c) => `${c.action}:${c.kind}:${c.key}:${(c.fields ?? []).join(',')}`),
      [
        'update:routes:forecast:paths',
        'delete:plugins:response-headers@consumer=alice:',
        'delete:consumers:alice:',
      ],
    );
    assert.equal(await store.configVersion(), v);
    assert.deepEqual((await svc.get('routes', 'default', 'forecast')).paths, ['/forecast']);
    assert.equal((await svc.get('consumers', 'default', 'alice')).username, 'alice');
  });

  it('applies updates in place and deletes what the file leaves out', async () => {
    const before = await svc.get('routes', 'default', 'forecast');
    const doc = sampleDoc();
    const services = doc['services'] as Array<{ routes: Array<Record<string, unknown>> }>;
    const firstRoute = services[0]?.routes[0];
    assert.ok(firstRoute);
    firstRoute['paths'] = ['/forecast', '/fc'];
    doc['consumers'] = [];
    const v = await store.configVersion();
    const res = await svc.apply(doc, { dryRun: false, actor: cli });
    assert.equal(res.changes.length, 3);
    assert.equal(res.version, v + 1);
    const after = await svc.get('routes', 'default', 'forecast');
    assert.equal(after.id, before.id, 'updates keep the id');
    assert.deepEqual(after.paths, ['/forecast', '/fc']);
    await assert.rejects(svc.get('consumers', 'default', 'alice'), rejectsWith('KW_ERR_NOT_FOUND'));
    const audit = await store.listAudit({ workspace: 'default', limit: 3 });
    assert.deepEqual(audit.data.map((a) => a.action).sort(), ['delete', 'delete', 'update']);
  });

  it('collects every problem of a bad document with paths into it, and changes nothing', async () => {
    const v = await store.configVersion();
    const bad = {
      workspace: 'default',
      colour: 'blue',
      services: [
        {
          name: 'weather',
          url: 'http://x',
          routes: [
            { name: 'ok', paths: ['/ok'] },
            { name: 'broken', paths: ['no-slash'], service: 'other' },
          ],
        },
        { name: 'weather', url: 'http://y', colour: 'red' },
        { name: 'api', url: 7 },
      ],
      routes: [{ name: 'loose', service: 'ghost', paths: ['/g'] }],
      consumers: [
        {
          username: 'bob',
          plugins: [{ name: 'request-termination', service: 'weather', config: { status_code: 1 } }],
        },
      ],
      plugins: [{ name: 'mystery' }],
    };
    await assert.rejects(
      svc.apply(bad, { dryRun: false, actor: cli }),
      rejectsWith('KW_ERR_VALIDATION', [
        '/_format_version',
        '/colour',
        '/services/0/routes/1/paths/0',
        '/services/0/routes/1/service',
        '/services/1/name',
        '/services/1/colour',
        '/services/2/url',
        '/routes/0/service',
        '/consumers/0/plugins/0/service',
        '/consumers/0/plugins/0/config/status_code',
        '/plugins/0/name',
      ]),
    );
    await assert.rejects(svc.apply(bad, { dryRun: true, actor: cli }), rejectsWith('KW_ERR_VALIDATION'));
    await assert.rejects(svc.apply('nope', { dryRun: false, actor: cli }), rejectsWith('KW_ERR_VALIDATION'));
    assert.equal(await store.configVersion(), v);
    assert.equal((await svc.get('routes', 'default', 'forecast')).service, 'weather');
  });

  it('maps checkConfig problems of the would-be state to document paths', async () => {
    const doc = {
      _format_version: '1',
      services: [
        {
          name: 's',
          url: 'http://x',
          routes: [
            { name: 'a', paths: ['/a'] },
            { name: 'b', paths: ['/a'] },
          ],
        },
        { name: 't', url: 'gopher://x' },
      ],
    };
    await assert.rejects(
      svc.apply(doc, { dryRun: true, actor: cli }),
      rejectsWith('KW_ERR_VALIDATION', ['/services/1/url', '/services/0/routes/1/paths/0']),
    );
  });

  it('reports duplicates across nested and top-level forms', async () => {
    const doc = {
      _format_version: '1',
      services: [{ name: 's', url: 'http://s', routes: [{ name: 'r', paths: ['/a'] }] }],
      routes: [{ name: 'r', service: 's', paths: ['/b'] }],
    };
    await assert.rejects(svc.apply(doc, { dryRun: true, actor: cli }), (err: unknown) => {
      rejectsWith('KW_ERR_VALIDATION', ['/routes/0/name'])(err);
      assert.match(
        (err as KeywayError).details?.[0]?.message ?? '',
        /first defined at \/services\/0\/routes\/0/,
      );
      return true;
    });
  });

  it('creates a missing workspace and leaves the others alone', async () => {
    const res = await svc.apply(
      {
        _format_version: '1',
        workspace: 'team-c',
        description: 'C',
        services: [{ name: 'weather', url: 'http://c' }],
      },
      { dryRun: false, actor: cli },
    );
    assert.equal(res.workspace_action, 'create');
    assert.equal((await svc.getWorkspace('team-c')).description, 'C');
    assert.equal((await svc.get('services', 'team-c', 'weather')).url, 'http://c');
    assert.equal((await svc.get('services', 'default', 'weather')).url, 'http://weather-pool/v1');
    const again = await svc.apply(await svc.export('team-c'), { dryRun: false, actor: cli });
    assert.deepEqual(again.changes, []);
    assert.equal(again.workspace_action, undefined);
  });

  it('an empty document empties the workspace', async () => {
    const res = await svc.apply({ _format_version: '1', workspace: 'team-c' }, { dryRun: false, actor: cli });
    assert.deepEqual(
      res.changes.map((c) => `${c.action}:${c.key}`),
      ['delete:weather'],
    );
    await assert.rejects(svc.export('nowhere'), rejectsWith('KW_ERR_NOT_FOUND'));
  });
});

describe('declarative round trip on postgres', () => {
  const url = 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `kw_decl_test_${process.pid}_${Date.now()}`;
  let store: Store;

  before(async () => {
    store = await openStore({ databaseUrl: url, dataDir: tmpdir(), schema });
  });
  after(async () => {
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it('applies, exports and re-applies with zero changes', async () => {
    const svc = createConfigService(store);
    const v = await store.configVersion();
    const first = await svc.apply(sampleDoc(), { dryRun: false, actor: cli });
    assert.equal(first.changes.length, 9);
    assert.equal(first.version, v + 1);
    const again = await svc.apply(await svc.export('default'), { dryRun: false, actor: cli });
    assert.deepEqual(again.changes, []);
    assert.equal(await store.configVersion(), v + 1);
  });
});
