/**
 * Team admins: a workspace admin manages the admin users of their own workspace, and only there. Two
 * teams (pay, search) on one admin API: each admin sees and changes their own team; every attempt to
 * reach the other team, to grant super_admin or a role elsewhere, to take over a user with rights
 * elsewhere, or to leave the team without an admin is refused with 403 KW_ERR_ADMIN_GRANT_FORBIDDEN (or
 * 404 for a user of another team, who is not named), and every change is an audit row naming its maker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';
import { adminWith } from '../../test/helpers/admin-users.js';

type Headers = { authorization: string };

describe('team admins: a workspace admin manages their own team only', () => {
  let h: AdminHarness;
  let pam: Headers; // pay's workspace admin
  let sam: Headers; // search's workspace admin
  const call = async (
    headers: Headers,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const res = await h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, body: res.body === '' ? ({} as TestBody) : res.json<TestBody>() };
  };
  const grantsOf = async (name: string) => (await call(h.auth, 'GET', `/admins/${name}`)).body['grants'];
  const refused = (res: { status: number; body: TestBody }, field?: string) => {
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'KW_ERR_ADMIN_GRANT_FORBIDDEN');
    if (field !== undefined) assert.ok(res.body.error.message.startsWith(field), res.body.error.message);
  };

  before(async () => {
    h = await startAdmin();
    for (const name of ['pay', 'search'])
      assert.equal((await call(h.auth, 'POST', '/workspaces', { name })).status, 201);
    pam = await adminWith(h, 'pam', [{ workspace: 'pay', role: 'workspace_admin' }]);
    sam = await adminWith(h, 'sam', [{ workspace: 'search', role: 'workspace_admin' }]);
    await adminWith(h, 'rita', [
      { workspace: 'pay', role: 'approver' },
      { workspace: 'search', role: 'viewer' },
    ]);
  });
  after(async () => h.close());

  it('each admin lists their own team, with their own workspace’s grants only', async () => {
    const mine = await call(pam, 'GET', '/admins');
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.data.map((u) => [u.name, u['grants']]),
      [
        ['pam', [{ workspace: 'pay', role: 'workspace_admin' }]],
        ['rita', [{ workspace: 'pay', role: 'approver' }]],
      ],
    );
    const theirs = await call(sam, 'GET', '/admins');
    assert.deepEqual(
      theirs.body.data.map((u) => u.name),
      ['rita', 'sam'],
    );
    assert.ok(!JSON.stringify(theirs.body).includes('"pay"'));
    // A user of the other team is not named: 404 on every route, as if absent.
    for (const [method, url, payload] of [
      ['GET', '/admins/sam'],
      ['PATCH', '/admins/sam', { grants: [] }],
      ['DELETE', '/admins/sam'],
      ['GET', '/admins/sam/tokens'],
      ['POST', '/admins/sam/tokens', { name: 'stolen' }],
    ] as const) {
      const res = await call(pam, method, url, payload);
      assert.equal(res.status, 404, `${method} ${url}`);
    }
    assert.deepEqual(await grantsOf('sam'), [{ workspace: 'search', role: 'workspace_admin' }]);
  });

  it('refuses super_admin, roles in another workspace or on *, and users outside the team', async () => {
    refused(
      await call(pam, 'POST', '/admins', { name: 'evil', grants: [{ workspace: '*', role: 'super_admin' }] }),
      '/grants/0/role',
    );
    for (const workspace of ['search', '*', 'no-such-workspace'])
      refused(
        await call(pam, 'POST', '/admins', { name: 'evil', grants: [{ workspace, role: 'viewer' }] }),
        '/grants/0/workspace',
      );
    refused(await call(pam, 'POST', '/admins', { name: 'evil', grants: [] }), '/grants');
    // Raising oneself: a role elsewhere, or super admin.
    refused(
      await call(pam, 'PATCH', '/admins/pam', {
        grants: [
          { workspace: 'pay', role: 'workspace_admin' },
          { workspace: 'search', role: 'workspace_admin' },
        ],
      }),
      '/grants/1/workspace',
    );
    refused(
      await call(pam, 'PATCH', '/admins/pam', { grants: [{ workspace: '*', role: 'super_admin' }] }),
      '/grants/0/role',
    );
    const users = await call(h.auth, 'GET', '/admins');
    assert.deepEqual(
      users.body.data.map((u) => u.name),
      ['pam', 'rita', 'sam'],
    );
    assert.deepEqual(await grantsOf('pam'), [{ workspace: 'pay', role: 'workspace_admin' }]);
  });

  it('creates team members and changes their roles within the team; audit rows name the maker', async () => {
    const created = await call(pam, 'POST', '/admins', {
      name: 'dev',
      grants: [{ workspace: 'pay', role: 'api_publisher' }],
      password: 'a long enough password',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = await call(pam, 'POST', '/admins/dev/tokens', { name: 'ci' });
    assert.equal(token.status, 201);
    const dev = { authorization: `Bearer ${String(token.body['token'])}` };
    assert.equal((await call(dev, 'GET', '/workspaces/pay/services')).status, 200);
    assert.equal((await call(dev, 'GET', '/workspaces/search/services')).status, 403);
    // The team's grants are replaced; rita's role in search stays.
    assert.equal(
      (await call(pam, 'PATCH', '/admins/rita', { grants: [{ workspace: 'pay', role: 'viewer' }] })).status,
      200,
    );
    assert.deepEqual(await grantsOf('rita'), [
      { workspace: 'search', role: 'viewer' },
      { workspace: 'pay', role: 'viewer' },
    ]);
    const audit = await call(h.auth, 'GET', '/audit-log?limit=500');
    const rows = audit.body.data.filter((r) => r['kind'] === 'admin_users' && r['actor'] !== 'admin');
    assert.deepEqual(rows.map((r) => [r['key'], r['action']]).sort(), [
      ['dev', 'create'],
      ['rita', 'update'],
    ]);
    for (const r of rows) assert.match(String(r['actor']), /^pam \(token [0-9a-f-]{36}\)$/);
    assert.ok(!JSON.stringify(audit.body).includes('a long enough password'));
  });

  it('a user with rights elsewhere: no password, tokens, disabling or deleting by a team admin', async () => {
    refused(await call(pam, 'PATCH', '/admins/rita', { password: 'a long enough password' }));
    refused(await call(pam, 'PATCH', '/admins/rita', { disabled: true }));
    refused(await call(pam, 'DELETE', '/admins/rita'));
    refused(await call(pam, 'POST', '/admins/rita/tokens', { name: 'takeover' }));
    // Taking her off the team is theirs: their grants go, search's stay.
    assert.equal((await call(pam, 'PATCH', '/admins/rita', { grants: [] })).status, 200);
    assert.deepEqual(await grantsOf('rita'), [{ workspace: 'search', role: 'viewer' }]);
    assert.equal((await call(pam, 'GET', '/admins/rita')).status, 404);
  });

  it('disables and enables a team member: their tokens and password stop, then work again', async () => {
    const devToken = await call(pam, 'POST', '/admins/dev/tokens', { name: 'laptop' });
    const dev = { authorization: `Bearer ${String(devToken.body['token'])}` };
    const off = await call(pam, 'PATCH', '/admins/dev', { disabled: true });
    assert.equal(off.status, 200);
    assert.equal(off.body['disabled'], true);
    assert.equal((await call(dev, 'GET', '/workspaces/pay/services')).status, 401);
    const login = await h.app.inject({
      method: 'POST',
      url: '/login',
      payload: { user: 'dev', password: 'a long enough password' },
    });
    assert.equal(login.statusCode, 401);
    assert.equal(login.json<TestBody>().error.code, 'KW_ERR_ADMIN_LOGIN_FAILED');
    assert.equal((await call(pam, 'PATCH', '/admins/dev', { disabled: false })).status, 200);
    assert.equal((await call(dev, 'GET', '/workspaces/pay/services')).status, 200);
  });

  it('never leaves a workspace without an enabled workspace admin; a super admin may', async () => {
    // pam is pay's only admin: demoting, disabling or deleting herself is refused.
    refused(await call(pam, 'PATCH', '/admins/pam', { grants: [{ workspace: 'pay', role: 'viewer' }] }));
    refused(await call(pam, 'PATCH', '/admins/pam', { disabled: true }));
    refused(await call(pam, 'DELETE', '/admins/pam'));
    // With a second admin she may step down; the second then cannot.
    assert.equal(
      (await call(pam, 'PATCH', '/admins/dev', { grants: [{ workspace: 'pay', role: 'workspace_admin' }] }))
        .status,
      200,
    );
    assert.equal(
      (await call(pam, 'PATCH', '/admins/pam', { grants: [{ workspace: 'pay', role: 'viewer' }] })).status,
      200,
    );
    // pam is a viewer now: no longer a team admin at all.
    assert.equal((await call(pam, 'GET', '/admins')).status, 403);
    // The super admin is not bound by the rule.
    assert.equal((await call(h.auth, 'DELETE', '/admins/dev')).status, 204);
  });
});
