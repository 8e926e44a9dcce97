/**
 * Admin users end to end through the admin API: tokens shown once, stored hashed, expiring on the node's
 * clock and revocable; password logins with a lockout on the same clock; grants that take effect at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashAdminToken } from './admin-token.js';
import { DEFAULT_LOGIN_POLICY } from './login-throttle.js';
import { SESSION_MS } from './passwords.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

const DAY = 86_400_000;

describe('admin users, tokens and logins', () => {
  let h: AdminHarness;
  let clock = Date.parse('2026-03-01T08:00:00Z');
  const seen: string[] = [];
  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = h.auth,
  ) => {
    const res = await h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    seen.push(res.body);
    return { status: res.statusCode, body: res.body === '' ? ({} as TestBody) : res.json<TestBody>() };
  };
  const bearer = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });

  before(async () => {
    h = await startAdmin({ now: () => clock });
    assert.equal((await call('POST', '/workspaces', { name: 'shop' })).status, 201);
  });
  after(async () => h.close());

  it('creates a user with grants; a token is shown once, stored as a hash, and expires', async () => {
    const created = await call('POST', '/admins', {
      name: 'ci-bot',
      grants: [{ workspace: 'shop', role: 'api_publisher' }],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body['password'], false);
    const minted = await call('POST', '/admins/ci-bot/tokens', { name: 'deploy', ttl_days: 1 });
    assert.equal(minted.status, 201);
    const token = String(minted.body['token']);
    assert.match(token, /^kwadm_[0-9A-Za-z]{43}$/);
    assert.equal(minted.body['expires_at'], new Date(clock + DAY).toISOString());
    // Stored by hash only, listed without it.
    const found = await h.store.admins.findToken(hashAdminToken(token));
    assert.equal(found?.user?.name, 'ci-bot');
    const listed = await call('GET', '/admins/ci-bot/tokens');
    assert.ok(!JSON.stringify(listed.body).includes(token));
    assert.equal(listed.body.data.length, 1);

    assert.equal(
      (
        await call(
          'POST',
          '/workspaces/shop/services',
          { name: 's', url: 'http://127.0.0.1:9' },
          bearer(token),
        )
      ).status,
      201,
    );
    assert.equal(
      (await call('POST', '/workspaces/shop/consumers', { username: 'c' }, bearer(token))).status,
      403,
    );
    clock += DAY + 1;
    assert.equal((await call('GET', '/workspaces/shop/services', undefined, bearer(token))).status, 401);
    clock -= DAY + 1;
  });

  it('a revoked token is refused at once, and the audit log names who did what', async () => {
    const minted = await call('POST', '/admins/ci-bot/tokens', { name: 'short' });
    const token = bearer(minted.body['token']);
    assert.equal((await call('GET', '/workspaces/shop/services', undefined, token)).status, 200);
    const revoked = await call('DELETE', `/admins/ci-bot/tokens/${minted.body.id}`);
    assert.equal(revoked.status, 200);
    assert.ok(typeof revoked.body['revoked_at'] === 'string');
    assert.equal((await call('GET', '/workspaces/shop/services', undefined, token)).status, 401);
    const audit = await call('GET', '/audit-log');
    const actions = audit.body.data.map((e) => `${e.actor} ${String(e['action'])} ${String(e['kind'])}`);
    assert.ok(actions.includes('admin update admin_tokens'));
    assert.ok(actions.includes('admin create admin_users'));
    assert.ok(
      actions.some((a) => /^ci-bot \(token [0-9a-f-]{36}\) create services$/.test(a)),
      actions.join('\n'),
    );
  });

  it('changing grants applies to the user’s live tokens at once', async () => {
    const token = bearer((await call('POST', '/admins/ci-bot/tokens', { name: 'live' })).body['token']);
    assert.equal((await call('POST', '/workspaces/shop/consumers', { username: 'c1' }, token)).status, 403);
    const patched = await call('PATCH', '/admins/ci-bot', {
      grants: [{ workspace: 'shop', role: 'approver' }],
    });
    assert.equal(patched.status, 200);
    assert.equal((await call('POST', '/workspaces/shop/consumers', { username: 'c1' }, token)).status, 201);
  });

  it('refuses grants that mean nothing, naming the field', async () => {
    for (const [grants, path] of [
      [[{ workspace: 'shop', role: 'super_admin' }], '/grants/0/workspace'],
      [[{ workspace: 'nowhere', role: 'viewer' }], '/grants/0/workspace'],
      [[{ workspace: 'shop', role: 'owner' }], '/grants/0/role'],
    ] as const) {
      const res = await call('POST', '/admins', { name: 'bad', grants });
      assert.equal(res.status, 400, JSON.stringify(grants));
      assert.equal(res.body.error.code, 'KW_ERR_VALIDATION');
      assert.ok(
        res.body.error.details.some((d) => d.path.startsWith(path)),
        JSON.stringify(res.body.error),
      );
    }
    assert.equal((await call('GET', '/admins/bad')).status, 404);
  });

  it('a password login gives a session; failures lock the user out for a while', async () => {
    const password = 'correct horse battery staple';
    assert.equal(
      (
        await call('POST', '/admins', {
          name: 'dana',
          password,
          grants: [{ workspace: 'shop', role: 'viewer' }],
        })
      ).status,
      201,
    );
    const login = await call('POST', '/login', { user: 'dana', password }, {});
    assert.equal(login.status, 200);
    assert.equal(login.body['expires_at'], new Date(clock + SESSION_MS).toISOString());
    const session = bearer(login.body['token']);
    assert.equal((await call('GET', '/workspaces/shop/services', undefined, session)).status, 200);
    assert.equal((await call('GET', '/services', undefined, session)).status, 403);

    // Wrong password and unknown user get the same answer.
    const unknown = await call('POST', '/login', { user: 'nobody', password }, {});
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.code, 'KW_ERR_ADMIN_LOGIN_FAILED');
    for (let i = 0; i < DEFAULT_LOGIN_POLICY.maxFailures; i++) {
      const wrong = await call('POST', '/login', { user: 'dana', password: 'not the password' }, {});
      assert.equal(wrong.body.error.code, 'KW_ERR_ADMIN_LOGIN_FAILED');
    }
    const locked = await call('POST', '/login', { user: 'dana', password }, {});
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'KW_ERR_ADMIN_LOCKED_OUT');
    clock += DEFAULT_LOGIN_POLICY.lockoutMs + 1;
    assert.equal((await call('POST', '/login', { user: 'dana', password }, {})).status, 200);
    // The session expires on the node's clock.
    clock += SESSION_MS;
    assert.equal((await call('GET', '/workspaces/shop/services', undefined, session)).status, 401);
  });

  it('deleting a user ends every token of theirs; the bootstrap token is still a super admin', async () => {
    const token = bearer((await call('POST', '/admins/ci-bot/tokens', { name: 'last' })).body['token']);
    assert.equal((await call('DELETE', '/admins/ci-bot')).status, 204);
    assert.equal((await call('GET', '/workspaces/shop/services', undefined, token)).status, 401);
    assert.equal((await call('GET', '/admins')).status, 200);
    // Passwords, their hashes and tokens never appear in any answer.
    const all = seen.join('\n');
    assert.ok(!all.includes('correct horse'));
    assert.ok(!/scrypt\$/.test(all));
  });
});
