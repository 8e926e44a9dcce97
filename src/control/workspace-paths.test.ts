/**
 * Routes of two workspaces match the same requests only on different hosts: refused at create and at apply with an
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

  it('refuses paths that differ in spelling but can match the same request; different hosts are fine', async () => {
    for (const ws of ['north', 'south']) {
      assert.equal((await call('POST', '/workspaces', { name: ws })).status, 201);
      assert.equal((await call('POST', `/workspaces/${ws}/services`, svc)).status, 201);
    }
    const route = (ws: string, name: string, paths: string[], extra: object = {}) =>
      call('POST', `/workspaces/${ws}/routes`, { name, service: 'svc', paths, ...extra });
    assert.equal((await route('north', 'orders', ['/orders', '=/pay/now', '/users/:id'])).status, 201);
    assert.equal((await route('north', 'items', ['~^/items/[0-9]+$'], { methods: ['GET'] })).status, 201);
    const refused: Array<[string[], object, RegExp]> = [
      // A longer literal under a prefix would take that subtree.
      [
        ['/orders/archive'],
        {},
        /\/orders\/archive can match the same GET requests as \/orders of route "orders"/,
      ],
      [['=/orders/1'], {}, /as \/orders of route "orders" in workspace "north"/],
      // A parameter meets a literal, and a literal a parameter.
      [['/:section/now'], {}, /as \/orders of route "orders"/],
      [['/users/me'], {}, /as \/users\/:id/],
      // `/` is below every path.
      [['/'], {}, /route "orders" in workspace "north"/],
      // Regular expressions: against a path, against the same one, against another sharing a request.
      [['~^/orders/[a-z]+'], {}, /~\^\/orders\/\[a-z\]\+ can match the same GET requests as \/orders/],
      [['/items/:id'], { methods: ['GET', 'POST'] }, /as ~\^\/items\/\[0-9\]\+\$ of route "items"/],
      [['~^/items/[0-9]+$'], { hosts: ['south.example.com'] }, /shares GET ~\^\/items\/\[0-9\]\+\$/],
      [['~^/items/'], {}, /route "items" in workspace "north"/],
    ];
    for (const [paths, extra, message] of refused) {
      const res = await route('south', 'probe', paths, extra);
      assert.equal(res.status, 400, `${paths.join(',')} ${JSON.stringify(res.body)}`);
      const details = res.body.error.details.filter((d) => d.path === '/paths/0');
      assert.ok(
        details.some((d) => message.test(d.message)),
        `${paths.join(',')}: ${JSON.stringify(details)}`,
      );
    }
    // Paths no request can share, methods that differ, and hosts of their own are fine.
    const allowed: Array<[string, string[], object]> = [
      ['ordersx', ['/ordersx'], {}],
      ['pay-later', ['=/pay/later', '/pay/now/sub'], {}],
      ['user-list', ['=/users'], {}],
      ['items-post', ['~^/items/[0-9]+$'], { methods: ['POST'] }],
      ['items-names', ['/items/names'], { methods: ['DELETE'] }],
      ['other-re', ['~^/reports/[0-9]+$'], {}],
    ];
    for (const [name, paths, extra] of allowed) {
      const res = await route('south', name, paths, extra);
      assert.equal(res.status, 201, `${paths.join(',')} ${JSON.stringify(res.body)}`);
    }
    const north = await route('north', 'hosted', ['/shared'], { hosts: ['north.example.com'] });
    assert.equal(north.status, 201);
    const south = await route('south', 'hosted', ['/shared/deeper'], { hosts: ['south.example.com'] });
    assert.equal(south.status, 201);
    // Without hosts of its own, the same path would take north.example.com's requests under /shared.
    assert.equal((await route('south', 'unhosted', ['/shared/deeper'])).status, 400);
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
