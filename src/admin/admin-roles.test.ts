/**
 * The role table test: every admin endpoint Fastify registered (found at run time, so a new endpoint is
 * walked without editing this file), called by every role granted on one workspace and on `*`, answers
 * 403 KW_ERR_ADMIN_FORBIDDEN exactly where the permission table says the role may not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { declaredRoutes, requirePermissions } from './authorize.js';
import { ADMIN_ROLES, NODE_AREAS, PERMISSIONS, type AdminRole } from './permissions.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';
import { adminWith, fill, walkable } from '../../test/helpers/admin-users.js';

const TEAM = 'team-a';

describe('admin roles: every endpoint × every role', () => {
  let h: AdminHarness;
  const principals: Array<{ role: AdminRole; scope: string; auth: { authorization: string } }> = [];

  before(async () => {
    h = await startAdmin();
    const ws = await h.app.inject({
      method: 'POST',
      url: '/workspaces',
      headers: h.auth,
      payload: { name: TEAM },
    });
    assert.equal(ws.statusCode, 201, ws.body);
    for (const role of ADMIN_ROLES)
      for (const scope of role === 'super_admin' ? ['*'] : [TEAM, '*']) {
        const name = `${role.replace('_', '-')}-${scope === '*' ? 'all' : 'a'}`;
        principals.push({ role, scope, auth: await adminWith(h, name, [{ workspace: scope, role }]) });
      }
  });
  after(async () => h.close());

  it('walks every registered endpoint and finds each declares a permission', () => {
    const routes = walkable(declaredRoutes(h.app));
    // Resources (two bases), keys, observability, config, workspaces, admins: well over a hundred.
    assert.ok(routes.length > 100, `only ${routes.length} routes found`);
    const undeclared = declaredRoutes(h.app).filter(
      (r) =>
        r.permission === undefined && r.public !== true && !['/health', '/ready', '/login'].includes(r.url),
    );
    assert.deepEqual(undeclared, []);
    // Routes that declare themselves public (`config.public`) are the console's files and its sign-in,
    // and no other: a new one must be added here, on purpose.
    const open = [
      ...new Set(
        declaredRoutes(h.app)
          .filter((r) => r.public === true)
          .map((r) => r.url),
      ),
    ].sort();
    assert.deepEqual(open, ['/', '/console', '/console/*', '/console/api/session']);
  });

  it('answers each role as the permission table says', async () => {
    const mismatches: string[] = [];
    for (const route of walkable(declaredRoutes(h.app))) {
      const p = route.permission;
      if (p === undefined) continue;
      const url = fill(route.url, TEAM);
      // Where a route reads its workspace from the body, the body names the team's.
      const payload =
        route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE'
          ? undefined
          : url === '/config'
            ? { workspace: TEAM }
            : url === '/workspaces'
              ? { name: TEAM }
              : {};
      // The workspace this request touches, read off the URL (not from authorize.ts: this is the check).
      const touches = NODE_AREAS.includes(p.area as (typeof NODE_AREAS)[number])
        ? '*'
        : route.url.includes(':workspace') ||
            (payload !== undefined && ('workspace' in payload || 'name' in payload))
          ? TEAM
          : p.absent === 'all'
            ? '*'
            : p.absent === 'visible'
              ? 'visible'
              : 'default';
      for (const { role, scope, auth } of principals) {
        const mayAct = PERMISSIONS[role][p.area].includes(p.action);
        const expected =
          mayAct &&
          (p.area === 'status' ||
            p.area === 'catalog' ||
            touches === 'visible' ||
            scope === '*' ||
            touches === scope);
        const res = await h.app.inject({
          method: route.method,
          url,
          headers: auth,
          ...(payload === undefined ? {} : { payload }),
        });
        const forbidden =
          res.statusCode === 403 &&
          (route.method === 'HEAD' || res.json<TestBody>().error.code === 'KW_ERR_ADMIN_FORBIDDEN');
        if (res.statusCode === 401 || forbidden === expected)
          mismatches.push(
            `${role}@${scope} ${route.method} ${url}: ${res.statusCode} (expected ${expected ? 'allowed' : 'forbidden'})`,
          );
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('a forbidden answer names the action, area and workspace', async () => {
    const viewer = principals.find((p) => p.role === 'viewer' && p.scope === TEAM);
    assert.ok(viewer);
    const res = await h.app.inject({
      method: 'POST',
      url: `/workspaces/${TEAM}/services`,
      headers: viewer.auth,
      payload: { name: 's', url: 'http://127.0.0.1:9' },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(
      res.json<TestBody>().error.message,
      `your admin roles do not allow write on services in workspace "${TEAM}"`,
    );
  });

  it('refuses to start an admin app with an endpoint that declares no permission', async () => {
    const app = Fastify();
    requirePermissions(app, (url) => url === '/health');
    app.get('/health', async () => 'ok');
    assert.throws(() => app.get('/forgot', async () => 'x'), /GET \/forgot declares no permission/);
    await app.close();
  });
});
