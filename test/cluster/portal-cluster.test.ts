// The portal on two nodes sharing PostgreSQL and Redis, as behind a load balancer: a session made on one
// node is good on the other; a password-reset link asked for on one node is used on the other, and then
// on neither again (single-use across nodes); failed sign-ins from one address count together on both
// nodes (the throttle's window lives in Redis).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PortalBrowser, codeOf } from '../helpers/portal-browser.js';
import type { KeywayProcess } from '../helpers/keyway-process.js';
import { adminCall, clusterEnv, type ClusterEnv } from './support/cluster-env.js';

const API = '/portal/api';
const PASSWORD = 'correct horse battery staple';

/** The same browser profile (its cookies) talking to another node, as a load balancer would send it. */
function sameBrowserOn(b: PortalBrowser, base: string, ip: string): PortalBrowser {
  const other = new PortalBrowser(base);
  for (const [k, v] of b.jar) other.jar.set(k, v);
  return withIp(other, ip);
}

function withIp(b: PortalBrowser, ip: string): PortalBrowser {
  const send = b.send.bind(b);
  b.send = (method, path, body, opts = {}) =>
    send(method, path, body, { ...opts, headers: { ...opts.headers, 'x-forwarded-for': ip } });
  return b;
}

describe('developer portal on two nodes (PostgreSQL + Redis)', () => {
  let cluster: ClusterEnv;
  let a: KeywayProcess;
  let b: KeywayProcess;

  before(async () => {
    cluster = await clusterEnv('portal');
    const env = { KEYWAY_TRUSTED_PROXIES: '127.0.0.1', KEYWAY_PORTAL_LOGIN_IP_MAX_FAILURES: '6' };
    a = await cluster.start({ env });
    b = await cluster.start({ env });
  });
  after(async () => {
    await cluster?.close();
  });

  it('keeps sessions, links and the sign-in throttle across nodes', async () => {
    const onA = withIp(new PortalBrowser(a.portalUrl ?? ''), '10.9.0.1');
    assert.equal((await onA.signUp('jo@example.com', PASSWORD)).status, 201);
    assert.equal((await onA.post(`${API}/apps`, { name: 'dash' })).status, 201);
    const onB = sameBrowserOn(onA, b.portalUrl ?? '', '10.9.0.1');
    const apps = await onB.get(`${API}/apps`);
    assert.equal(apps.status, 200, 'the session made on A is good on B');
    assert.deepEqual(
      (apps.json['data'] as Array<{ name: string }>).map((x) => x.name),
      ['dash'],
    );
    assert.equal((await onB.post(`${API}/apps`, { name: 'second' })).status, 201, 'and so is its CSRF token');

    // A reset link asked for on A, used on B, then refused on A.
    const asker = withIp(new PortalBrowser(a.portalUrl ?? ''), '10.9.0.2');
    await asker.get(`${API}/session`);
    assert.equal((await asker.post(`${API}/password-reset`, { email: 'jo@example.com' })).status, 202);
    const outbox = await adminCall(a, 'GET', '/portal/outbox?to=jo@example.com');
    const body = (outbox.json['data'] as Array<{ body: string }>)[0]?.body ?? '';
    const token = /token=(\S+)/.exec(body)?.[1] ?? '';
    const onBReset = withIp(new PortalBrowser(b.portalUrl ?? ''), '10.9.0.3');
    await onBReset.get(`${API}/session`);
    const reset = await onBReset.post(`${API}/password-reset/confirm`, {
      token,
      password: 'new password on b',
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.json));
    const again = await asker.post(`${API}/password-reset/confirm`, { token, password: 'another on a' });
    assert.equal(codeOf(again), 'KW_ERR_PORTAL_LINK_INVALID');
    assert.equal((await onB.get(`${API}/apps`)).status, 401, 'the reset ended the session on every node');

    // Failures from one address count together: three on A, three on B, the next on either is throttled.
    const stufferA = withIp(new PortalBrowser(a.portalUrl ?? ''), '10.9.9.9');
    const stufferB = withIp(new PortalBrowser(b.portalUrl ?? ''), '10.9.9.9');
    for (let i = 0; i < 3; i++) {
      assert.equal((await stufferA.signIn(`a${i}@example.com`, PASSWORD)).status, 401);
      assert.equal((await stufferB.signIn(`b${i}@example.com`, PASSWORD)).status, 401);
    }
    const throttled = await stufferA.signIn('c@example.com', PASSWORD);
    assert.equal(throttled.status, 429, JSON.stringify(throttled.json));
    assert.equal(codeOf(throttled), 'KW_ERR_PORTAL_LOGIN_THROTTLED');
  });
});
