import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { rejectsWith, sqliteStore } from '../../test/helpers/sqlite-store.js';
import type { ConfigService } from './types.js';

const admin = { name: 'alice' };

describe('config service', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let svc: ConfigService;
  const versions: number[] = [];

  before(async () => {
    ({ store, cleanup } = await sqliteStore());
    svc = createConfigService(store, { onChange: (v) => void versions.push(v) });
  });
  after(() => cleanup());

  it('creates a resource, announces the version and audits it', async () => {
    const s = await svc.create(
      'services',
      'default',
      { name: 'weather', url: 'http://weather.local:8080' },
      admin,
    );
    assert.equal(s.name, 'weather');
    assert.deepEqual(Object.keys(s).sort(), ['created_at', 'id', 'name', 'updated_at', 'url']);
    assert.equal(versions.at(-1), await store.configVersion());
    const audit = await store.listAudit({ workspace: 'default', limit: 1 });
    assert.equal(audit.data[0]?.actor, 'alice');
    assert.equal(audit.data[0]?.action, 'create');
    assert.equal(audit.data[0]?.key, 'weather');
    assert.deepEqual(audit.data[0]?.after, { name: 'weather', url: 'http://weather.local:8080' });
  });

  it('answers validation errors with field paths', async () => {
    await assert.rejects(
      svc.create('services', 'default', { url: 42, extra: true }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/name', '/url', '/extra']),
    );
    await assert.rejects(
      svc.create(
        'routes',
        'default',
        { name: 'r', service: 'weather', paths: ['nope'], methods: ['FETCH'] },
        admin,
      ),
      rejectsWith('KW_ERR_VALIDATION', ['/paths/0', '/methods/0']),
    );
    await assert.rejects(
      svc.create('services', 'default', 'not an object', admin),
      rejectsWith('KW_ERR_VALIDATION'),
    );
  });

  it('validates plugin configs and stores their defaults', async () => {
    await assert.rejects(
      svc.create('plugins', 'default', { name: 'no-such-plugin' }, admin),
      rejectsWith('KW_ERR_PLUGIN_UNKNOWN', ['/name']),
    );
    await assert.rejects(
      svc.create('plugins', 'default', { name: 'request-termination', config: { status_code: 42 } }, admin),
      rejectsWith('KW_ERR_PLUGIN_CONFIG', ['/config/status_code']),
    );
    const body = { name: 'request-termination', service: 'weather' };
    const p = await svc.create('plugins', 'default', body, admin);
    assert.deepEqual(p.config, { status_code: 503, content_type: 'application/json' });
    assert.deepEqual(
      body,
      { name: 'request-termination', service: 'weather' },
      'the caller body is not mutated',
    );
    const got = await svc.get('plugins', 'default', 'request-termination@service=weather');
    assert.equal(got.id, p.id);
  });

  it('rejects unknown workspaces and dangling references', async () => {
    await assert.rejects(
      svc.create('services', 'nowhere', { name: 'a', url: 'http://a' }, admin),
      rejectsWith('KW_ERR_NOT_FOUND'),
    );
    await assert.rejects(svc.get('services', 'nowhere', 'a'), rejectsWith('KW_ERR_NOT_FOUND'));
    const v = await store.configVersion();
    await assert.rejects(
      svc.create('routes', 'default', { name: 'r', service: 'ghost', paths: ['/r'] }, admin),
      rejectsWith('KW_ERR_REFERENCE', ['/service']),
    );
    await assert.rejects(
      svc.create('plugins', 'default', { name: 'response-headers', consumer: 'ghost' }, admin),
      rejectsWith('KW_ERR_REFERENCE', ['/consumer']),
    );
    assert.equal(await store.configVersion(), v, 'refused changes leave the version alone');
    assert.equal((await svc.list('routes', 'default', {})).total, 0);
  });

  it('maps whole-configuration problems (checkConfig) to body paths', async () => {
    await assert.rejects(
      svc.create('services', 'default', { name: 'ftp', url: 'ftp://x' }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/url']),
    );
    await svc.create('routes', 'default', { name: 'one', service: 'weather', paths: ['/one'] }, admin);
    const v = await store.configVersion();
    await assert.rejects(
      svc.create('routes', 'default', { name: 'two', service: 'weather', paths: ['/one'] }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/paths/0']),
    );
    assert.equal(await store.configVersion(), v);
    await svc.delete('routes', 'default', 'one', admin);
  });

  it('rejects duplicate keys with 409', async () => {
    await assert.rejects(
      svc.create('services', 'default', { name: 'weather', url: 'http://x' }, admin),
      rejectsWith('KW_ERR_CONFLICT'),
    );
  });

  it('refuses to delete or rename something still referenced', async () => {
    await svc.create(
      'routes',
      'default',
      { name: 'forecast', service: 'weather', paths: ['/forecast'] },
      admin,
    );
    await assert.rejects(svc.delete('services', 'default', 'weather', admin), (err: unknown) => {
      rejectsWith('KW_ERR_CONFLICT')(err);
      assert.match((err as Error).message, /route "forecast"/);
      assert.match((err as Error).message, /plugin "request-termination@service=weather"/);
      return true;
    });
    await assert.rejects(
      svc.patch('services', 'default', 'weather', { name: 'climate' }, admin),
      rejectsWith('KW_ERR_CONFLICT'),
    );
    await assert.rejects(
      svc.replace('services', 'default', 'weather', { name: 'climate', url: 'http://x' }, admin),
      rejectsWith('KW_ERR_CONFLICT'),
    );
  });

  it('PUT replaces by id or key and creates a missing key', async () => {
    const before = await svc.get('routes', 'default', 'forecast');
    const replaced = await svc.replace(
      'routes',
      'default',
      before.id,
      { name: 'forecast', service: 'weather', paths: ['/f'], strip_path: false },
      admin,
    );
    assert.equal(replaced.id, before.id);
    assert.deepEqual(replaced.paths, ['/f']);
    const created = await svc.replace('consumers', 'default', 'carol', { username: 'carol' }, admin);
    assert.equal(created.username, 'carol');
    await assert.rejects(
      svc.replace('consumers', 'default', 'dave', { username: 'erin' }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/username']),
    );
    await assert.rejects(
      svc.replace('services', 'default', 'x', { name: 'y', url: 'http://x' }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/name']),
    );
  });

  it('PATCH merges top-level fields, removes nulls, then validates', async () => {
    const patched = await svc.patch(
      'routes',
      'default',
      'forecast',
      { methods: ['GET'], strip_path: null },
      admin,
    );
    assert.deepEqual(patched.methods, ['GET']);
    assert.equal(patched.strip_path, undefined);
    assert.deepEqual(patched.paths, ['/f']);
    await assert.rejects(
      svc.patch('routes', 'default', 'forecast', { priority: 'high' }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/priority']),
    );
    await assert.rejects(
      svc.patch('routes', 'default', 'forecast', { service: 'ghost' }, admin),
      rejectsWith('KW_ERR_REFERENCE', ['/service']),
    );
    await assert.rejects(
      svc.patch('routes', 'default', 'missing', { priority: 1 }, admin),
      rejectsWith('KW_ERR_NOT_FOUND'),
    );
    const audit = await store.listAudit({ workspace: 'default', limit: 1 });
    assert.equal(audit.data[0]?.action, 'update');
    assert.deepEqual((audit.data[0]?.before as { methods?: string[] }).methods, undefined);
  });

  it('deletes once nothing refers to it', async () => {
    await svc.delete('plugins', 'default', 'request-termination@service=weather', admin);
    await svc.delete('routes', 'default', 'forecast', admin);
    const s = await svc.get('services', 'default', 'weather');
    await svc.delete('services', 'default', s.id, admin);
    await assert.rejects(svc.get('services', 'default', 'weather'), rejectsWith('KW_ERR_NOT_FOUND'));
    const audit = await store.listAudit({ workspace: 'default', limit: 1 });
    assert.equal(audit.data[0]?.action, 'delete');
    assert.equal(audit.data[0]?.key, 'weather');
  });

  it('manages workspaces and protects the default one', async () => {
    const ws = await svc.createWorkspace({ name: 'team-b', description: 'B' }, admin);
    assert.equal(ws.description, 'B');
    await assert.rejects(svc.createWorkspace({ name: 'team-b' }, admin), rejectsWith('KW_ERR_CONFLICT'));
    await assert.rejects(
      svc.createWorkspace({ name: '' }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/name']),
    );
    await svc.create('services', 'team-b', { name: 'weather', url: 'http://x' }, admin);
    const updated = await svc.updateWorkspace('team-b', { name: 'team-b', description: 'Bee' }, admin);
    assert.equal(updated.description, 'Bee');
    await svc.deleteWorkspace('team-b', admin);
    await assert.rejects(svc.getWorkspace('team-b'), rejectsWith('KW_ERR_NOT_FOUND'));
    await assert.rejects(svc.deleteWorkspace('default', admin), rejectsWith('KW_ERR_CONFLICT'));
    await assert.rejects(
      svc.updateWorkspace('default', { name: 'other' }, admin),
      rejectsWith('KW_ERR_CONFLICT'),
    );
    assert.deepEqual(
      (await svc.listWorkspaces()).map((w) => w.name),
      ['default'],
    );
  });
});
