/**
 * Roles per route and method through the real proxy: roles from consumer groups and app roles (key-auth),
 * and from a token claim at a dotted path (jwt-auth `roles_claim`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';
import { startEcho, type TestServer } from '../../../test/helpers/upstream.js';
import { MemoryKeys } from '../../../test/helpers/api-keys.js';
import { hmacToken, now } from '../../../test/auth/support/keys.js';
import { RecordsById } from '../../../test/observe/records-by-id.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { AuthReasons } from '../../observe/auth-reasons.js';
import { CallObserver } from '../../observe/call-observer.js';
import type { CallRecord } from '../../observe/records/call-record.js';

const SECRET = 'an-acl-test-secret-of-at-least-32-bytes';
const ISS = 'https://idp.example';

describe('acl plugin (roles)', () => {
  const store = new MemoryKeys();
  const resolver = new ApiKeyResolver(store, store.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  let echo: TestServer;
  let gw: TestGateway;
  const keys: Record<string, string> = {};

  before(async () => {
    echo = await startEcho();
    const cfg = state({
      services: [{ name: 'svc', url: `http://${echo.address}` }],
      routes: [
        { name: 'orders', service: 'svc', paths: ['/orders'] },
        { name: 'tokens', service: 'svc', paths: ['/tokens'] },
      ],
      consumers: [{ username: 'ops', groups: ['staff'] }, { username: 'partner' }, { username: 'svc-a' }],
      apps: [
        { name: 'ops-console', consumer: 'ops', roles: ['orders-admin'] },
        { name: 'ops-reader', consumer: 'ops' },
        { name: 'partner-app', consumer: 'partner', roles: ['orders-reader'] },
        { name: 'partner-bare', consumer: 'partner' },
      ],
      plugins: [
        { name: 'key-auth', route: 'orders', config: {} },
        {
          name: 'acl',
          route: 'orders',
          config: { roles: ['orders-reader', 'staff'], methods: { DELETE: ['orders-admin'] } },
        },
        {
          name: 'jwt-auth',
          route: 'tokens',
          config: {
            issuers: [{ issuer: ISS, keys: [{ secret: SECRET }] }],
            audiences: ['api'],
            roles_claim: 'realm_access.roles',
          },
        },
        { name: 'acl', route: 'tokens', config: { roles: ['billing'] } },
      ],
    });
    const app = (name: string): string => cfg.workspaces[0]?.apps.find((a) => a.name === name)?.id ?? '';
    for (const a of ['ops-console', 'ops-reader', 'partner-app', 'partner-bare'])
      keys[a] = store.issue(app(a)).key;
    const observer = new CallObserver({
      records: ring,
      metrics: undefined,
      reasons,
      capture: undefined,
      trace: false,
    });
    gw = await startGateway(cfg, { services: { apiKeys: resolver }, observer });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await resolver.close();
    reasons.close();
  });

  async function call(
    method: 'GET' | 'DELETE',
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; record: CallRecord }> {
    const res = await request(`${gw.url}${path}`, { method, headers });
    const text = await res.body.text();
    return { status: res.statusCode, text, record: await ring.recordOf(String(res.headers['x-request-id'])) };
  }

  it('takes roles from the consumer groups and the app roles, per method', async () => {
    // The consumer's group `staff` reads; its console app's role `orders-admin` deletes.
    assert.equal((await call('GET', '/orders', { apikey: keys['ops-reader'] ?? '' })).status, 200);
    assert.equal((await call('DELETE', '/orders', { apikey: keys['ops-console'] ?? '' })).status, 200);
    const reader = await call('DELETE', '/orders', { apikey: keys['ops-reader'] ?? '' });
    assert.equal(reader.status, 403);
    assert.match(reader.text, /KW_ERR_ROLE_REQUIRED/);
    // The client is not told which roles would do; the record says.
    assert.doesNotMatch(reader.text, /orders-admin/);
    assert.equal(
      reader.record.access,
      'deny role: DELETE needs one of orders-admin; consumer ops holds roles staff',
    );
    assert.equal((await call('GET', '/orders', { apikey: keys['partner-app'] ?? '' })).status, 200);
    const bare = await call('GET', '/orders', { apikey: keys['partner-bare'] ?? '' });
    assert.equal(bare.status, 403);
    assert.equal(
      bare.record.access,
      'deny role: GET needs one of orders-reader, staff; consumer partner holds no role',
    );
  });

  it('takes roles from a token claim at a dotted path (roles_claim)', async () => {
    const token = (roles: unknown) =>
      hmacToken(
        { alg: 'HS256' },
        { iss: ISS, aud: 'api', sub: 'svc-a', exp: now() + 600, realm_access: { roles } },
        SECRET,
      );
    assert.equal(
      (await call('GET', '/tokens', { authorization: `Bearer ${token(['billing', 'x'])}` })).status,
      200,
    );
    assert.equal(
      (await call('GET', '/tokens', { authorization: `Bearer ${token('x billing')}` })).status,
      200,
    );
    const none = await call('GET', '/tokens', { authorization: `Bearer ${token(['x'])}` });
    assert.equal(none.status, 403);
    assert.equal(none.record.access, 'deny role: GET needs one of billing; consumer svc-a holds roles x');
  });
});
