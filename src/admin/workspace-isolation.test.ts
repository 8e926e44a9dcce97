/**
 * Workspace isolation of the admin API: an admin of workspace A, with the strongest role short of super
 * admin, calls every registered endpoint (found at run time) aimed at workspace B — resources, keys,
 * logs, analytics, alerts, audit, usage, AI providers, declarative export and apply — and gets 403 from
 * each; nothing of B changes, and B is not even named in what A can list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { declaredRoutes, queryWorkspace } from './authorize.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';
import { adminWith, fill, walkable } from '../../test/helpers/admin-users.js';

const A = 'team-a';
const B = 'team-b';

describe('workspace isolation: an admin of A cannot read or change B', () => {
  let h: AdminHarness;
  let adminA: { authorization: string };
  const real: Record<string, string> = {};

  const asRoot = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await h.app.inject({
      method,
      url,
      headers: h.auth,
      ...(payload === undefined ? {} : { payload }),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<TestBody>();
  };

  before(async () => {
    h = await startAdmin();
    for (const name of [A, B]) await asRoot('POST', '/workspaces', { name });
    await asRoot('POST', '/config', {
      _format_version: '1',
      workspace: B,
      upstreams: [{ name: 'up-b', targets: [{ target: '127.0.0.1:9' }] }],
      services: [{ name: 'svc-b', url: 'http://127.0.0.1:9', routes: [{ name: 'route-b', paths: ['/b'] }] }],
      consumers: [{ username: 'cons-b', apps: [{ name: 'app-b' }] }],
      ai_providers: [{ name: 'ai-b', type: 'openai', base_url: 'http://127.0.0.1:9/v1' }],
    });
    const key = await asRoot('POST', `/workspaces/${B}/apps/app-b/keys`, {});
    real['id'] = key.id;
    real['app'] = 'app-b';
    real['service'] = 'svc-b';
    real['idOrKey'] = 'svc-b';
    adminA = await adminWith(h, 'alice', [{ workspace: A, role: 'workspace_admin' }]);
  });
  after(async () => h.close());

  it('every endpoint aimed at B answers 403, and B is unchanged', async () => {
    const before = await asRoot('GET', `/config?workspace=${B}`);
    const leaks: string[] = [];
    for (const route of walkable(declaredRoutes(h.app))) {
      const p = route.permission;
      if (p === undefined) continue;
      // The node's status, the plugin catalog and the API description hold nothing of any workspace.
      if (p.area === 'status' || p.area === 'catalog') continue;
      // Admin users are the team's, narrowed by user rather than by path: team-admins.test.ts.
      if (p.area === 'admins') continue;
      // Listing workspaces is allowed, and filtered: checked below.
      if (route.url === '/workspaces' && (route.method === 'GET' || route.method === 'HEAD')) continue;
      let url = fill(route.url, B, real);
      if (p.workspace === queryWorkspace) url += `?workspace=${B}`;
      const payload =
        route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE'
          ? undefined
          : url === '/config'
            ? { _format_version: '1', workspace: B }
            : url === '/workspaces'
              ? { name: B }
              : { name: 'x' };
      const res = await h.app.inject({
        method: route.method,
        url,
        headers: adminA,
        ...(payload === undefined ? {} : { payload }),
      });
      // A HEAD answer has no body to read the code from: its status says it.
      if (
        res.statusCode !== 403 ||
        (route.method !== 'HEAD' && res.json<TestBody>().error.code !== 'KW_ERR_ADMIN_FORBIDDEN')
      )
        leaks.push(`${route.method} ${url}: ${res.statusCode}`);
    }
    assert.deepEqual(leaks, []);
    assert.deepEqual(await asRoot('GET', `/config?workspace=${B}`), before);
    const audit = await asRoot('GET', `/audit-log?workspace=${B}`);
    assert.ok(audit.data.every((e) => e.actor === 'admin'));
  });

  it('the workspace list names A only, and A itself is fully reachable', async () => {
    const list = await h.app.inject({ url: '/workspaces', headers: adminA });
    assert.deepEqual(
      list.json<TestBody>().data.map((w) => w.name),
      [A],
    );
    const created = await h.app.inject({
      method: 'POST',
      url: `/workspaces/${A}/services`,
      headers: adminA,
      payload: { name: 'svc-a', url: 'http://127.0.0.1:9' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const audit = await asRoot('GET', `/audit-log?workspace=${A}`);
    // The audit log names the admin user and the token, never the token itself.
    assert.match(audit.data[0]?.actor ?? '', /^alice \(token [0-9a-f-]{36}\)$/);
    assert.ok(!JSON.stringify(audit).includes(adminA.authorization.slice(7)));
  });

  it('a query naming two workspaces, or a path and a body disagreeing, does not slip through', async () => {
    for (const url of [
      `/audit-log?workspace=${A}&workspace=${B}`,
      `/analytics/summary?workspace=${A}&workspace=${B}`,
    ]) {
      const res = await h.app.inject({ url, headers: adminA });
      assert.equal(res.statusCode, 403, url);
    }
    // Top-level routes are the default workspace's, whatever the query says.
    const res = await h.app.inject({ url: `/services?workspace=${A}`, headers: adminA });
    assert.equal(res.statusCode, 403);
  });
});
