/**
 * Routes of two workspaces share a path only on different hosts: refused at create and at apply with an
 * error naming both routes and workspaces; a configuration stored before the rule still compiles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AgentCache } from '../snapshot/agents.js';
import { compileSnapshot } from '../snapshot/compile.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

describe('data-plane paths across workspaces', () => {
  let h: AdminHarness;
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const res = await h.app.inject({
      method,
      url,
      headers: h.auth,
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: res.statusCode, body: res.json<TestBody>() };
  };
  const svc = { name: 'svc', url: 'http://127.0.0.1:9' };

  before(async () => {
    h = await startAdmin();
    for (const ws of ['shop', 'blog']) {
      assert.equal((await call('POST', '/workspaces', { name: ws })).status, 201);
      assert.equal((await call('POST', `/workspaces/${ws}/services`, svc)).status, 201);
    }
    const api = await call('POST', '/workspaces/shop/routes', {
      name: 'api',
      service: 'svc',
      paths: ['/api'],
    });
    assert.equal(api.status, 201);
  });
  after(async () => h.close());

  it('refuses the same path in another workspace, hosts or not, naming both routes', async () => {
    for (const hosts of [undefined, ['blog.example.com']]) {
      const res = await call('POST', '/workspaces/blog/routes', {
        name: 'posts',
        service: 'svc',
        paths: ['/api'],
        ...(hosts === undefined ? {} : { hosts }),
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'KW_ERR_VALIDATION');
      const detail = res.body.error.details.find((d) => d.path === '/paths/0');
      assert.match(detail?.message ?? '', /shares GET \/api with route "api" in workspace "shop"/);
      assert.match(detail?.message ?? '', /only when both name hosts and their hosts differ/);
    }
    // Parameter names do not make two paths different.
    await call('POST', '/workspaces/shop/routes', { name: 'user', service: 'svc', paths: ['/u/:id'] });
    const renamed = await call('POST', '/workspaces/blog/routes', {
      name: 'u',
      service: 'svc',
      paths: ['/u/:uid'],
    });
    assert.equal(renamed.status, 400);
  });

  it('allows the same path on hosts that differ, and refuses hosts that may meet', async () => {
    const shop = await call('POST', '/workspaces/shop/routes', {
      name: 'v1',
      service: 'svc',
      paths: ['/v1'],
      hosts: ['shop.example.com'],
    });
    assert.equal(shop.status, 201);
    const blog = await call('POST', '/workspaces/blog/routes', {
      name: 'v1',
      service: 'svc',
      paths: ['/v1'],
      hosts: ['blog.example.com'],
    });
    assert.equal(blog.status, 201);
    const wild = await call('POST', '/workspaces/blog/routes', {
      name: 'v1-all',
      service: 'svc',
      paths: ['/v1'],
      hosts: ['*.example.com'],
    });
    assert.equal(wild.status, 400);
    assert.match(JSON.stringify(wild.body.error.details), /route \\"v1\\" in workspace \\"shop\\"/);
  });

  it('a declarative apply that adds an overlap is refused and changes nothing', async () => {
    const before = await call('GET', '/config?workspace=blog');
    const res = await call('POST', '/config', {
      _format_version: '1',
      workspace: 'blog',
      services: [{ ...svc, routes: [{ name: 'api', paths: ['/api'] }] }],
    });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body.error), /in workspace \\"shop\\"/);
    assert.deepEqual(await call('GET', '/config?workspace=blog'), before);
  });

  it('a configuration stored before the rule still compiles and serves', async () => {
    await h.store.transaction(async (tx) =>
      tx.create('routes', 'blog', {
        name: 'old',
        service: 'svc',
        paths: ['/api'],
        hosts: ['blog.example.com'],
      }),
    );
    const snap = compileSnapshot(await h.store.loadAll(), { agents: new AgentCache() });
    assert.ok(snap.routes.some((r) => r.workspace === 'blog' && r.name === 'old'));
    // And an unrelated change in either workspace still applies.
    const other = await call('POST', '/workspaces/blog/routes', {
      name: 'feed',
      service: 'svc',
      paths: ['/feed'],
    });
    assert.equal(other.status, 201);
  });
});
