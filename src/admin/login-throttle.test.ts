/**
 * `POST /login`'s per-address throttle, on an injected clock: failures from one address across many
 * user names get 429 KW_ERR_ADMIN_LOGIN_THROTTLED with Retry-After, other addresses are untouched,
 * successes do not count, and with a Redis counter store two admin apps (two nodes) share the count.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { RedisCounterStore } from '../limits/redis-store.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';
import type { LoginPolicy } from './login-throttle.js';

const POLICY: LoginPolicy = { maxFailures: 3, lockoutMs: 60_000, ipMaxFailures: 4, ipWindowMs: 60_000 };
const PASSWORD = 'correct horse battery staple';

async function login(h: AdminHarness, user: string, password: string, ip: string) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/login',
    payload: { user, password },
    remoteAddress: ip,
  });
  return { status: res.statusCode, headers: res.headers, body: res.json<TestBody>() };
}

async function withUser(h: AdminHarness, name: string): Promise<void> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/admins',
    headers: h.auth,
    payload: { name, password: PASSWORD, grants: [{ workspace: 'default', role: 'viewer' }] },
  });
  assert.equal(res.statusCode, 201, res.body);
}

describe('login throttle per client address', () => {
  const open: AdminHarness[] = [];
  const stores: RedisCounterStore[] = [];
  after(async () => {
    for (const h of open) await h.close();
    for (const s of stores) await s.close();
  });

  it('stops credential stuffing across user names; other addresses and the window are untouched', async () => {
    let clock = Date.parse('2026-03-01T08:00:00Z');
    const h = await startAdmin({ now: () => clock, login: POLICY });
    open.push(h);
    await withUser(h, 'dana');
    // Successes never count: many logins from one office address are fine.
    for (let i = 0; i < 6; i++) assert.equal((await login(h, 'dana', PASSWORD, '198.51.100.1')).status, 200);
    // Four different names, one wrong guess each: no user is locked, the address is.
    for (const user of ['alice', 'bob', 'carol', 'dana'])
      assert.equal((await login(h, user, 'guess-guess-guess', '203.0.113.9')).status, 401);
    clock += 10_000;
    const stopped = await login(h, 'dana', PASSWORD, '203.0.113.9');
    assert.equal(stopped.status, 429);
    assert.equal(stopped.body.error.code, 'KW_ERR_ADMIN_LOGIN_THROTTLED');
    // The oldest failure leaves the 60 s window 50 s from now.
    assert.equal(stopped.headers['retry-after'], '50');
    assert.match(stopped.body.error.message, /try again in 50 s/);
    // Another address, even the same user: fine (dana has one failure, under her own limit).
    assert.equal((await login(h, 'dana', PASSWORD, '198.51.100.2')).status, 200);
    // An IPv6 client is counted by its /64: hopping addresses inside it does not help.
    for (let i = 1; i <= 4; i++)
      assert.equal((await login(h, 'x', 'guess-guess-guess', `2001:db8:1:2::${i}`)).status, 401);
    assert.equal((await login(h, 'x', 'guess-guess-guess', '2001:db8:1:2::99')).status, 429);
    assert.equal((await login(h, 'x', 'guess-guess-guess', '2001:db8:1:3::1')).status, 401);
    clock += 50_000;
    assert.equal((await login(h, 'dana', PASSWORD, '203.0.113.9')).status, 200);
  });

  it('the per-user lockout and its figures follow the node settings', async () => {
    let clock = Date.parse('2026-03-01T08:00:00Z');
    const h = await startAdmin({ now: () => clock, login: { ...POLICY, ipMaxFailures: 100 } });
    open.push(h);
    await withUser(h, 'erin');
    for (let i = 0; i < POLICY.maxFailures; i++)
      assert.equal((await login(h, 'erin', 'guess-guess-guess', '203.0.113.7')).status, 401);
    const locked = await login(h, 'erin', PASSWORD, '203.0.113.8');
    assert.equal(locked.body.error.code, 'KW_ERR_ADMIN_LOCKED_OUT');
    assert.match(locked.body.error.message, new RegExp(new Date(clock + POLICY.lockoutMs).toISOString()));
    clock += POLICY.lockoutMs + 1;
    assert.equal((await login(h, 'erin', PASSWORD, '203.0.113.8')).status, 200);
  });

  it('with Redis, two nodes share the count', async () => {
    let clock = Date.parse('2026-03-01T08:00:00Z');
    const prefix = `kw-test:${randomUUID()}:`;
    const nodes: AdminHarness[] = [];
    for (let i = 0; i < 2; i++) {
      const counters = new RedisCounterStore({ url: 'redis://127.0.0.1:6379', prefix, clock: 'caller' });
      stores.push(counters);
      const h = await startAdmin({ now: () => clock, login: POLICY, counters });
      open.push(h);
      nodes.push(h);
    }
    const [a, b] = nodes as [AdminHarness, AdminHarness];
    for (const [node, user] of [
      [a, 'u1'],
      [b, 'u2'],
      [a, 'u3'],
      [b, 'u4'],
    ] as const)
      assert.equal((await login(node, user, 'guess-guess-guess', '192.0.2.5')).status, 401);
    for (const node of [a, b]) {
      const res = await login(node, 'u5', 'guess-guess-guess', '192.0.2.5');
      assert.equal(res.status, 429);
      assert.equal(res.headers['retry-after'], '60');
    }
    clock += 60_001;
    assert.equal((await login(b, 'u5', 'guess-guess-guess', '192.0.2.5')).status, 401);
  });
});
