/**
 * key-auth through the real proxy: a data plane on port 0 forwarding to a real echo server, with the real
 * resolver over an in-memory key source that counts store lookups.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';
import { startEcho, type Echo, type TestServer } from '../../../test/helpers/upstream.js';
import { MemoryKeys } from '../../../test/helpers/api-keys.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { generateKey } from '../../keys/key-format.js';
import type { ConfigState } from '../../model/index.js';
import type { StoredApiKey } from '../../store/types.js';

const store = new MemoryKeys();

describe('key-auth plugin', () => {
  let echo: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  const resolver = new ApiKeyResolver(store, store.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const issue = (app: string, extra: Partial<StoredApiKey> = {}): { key: string; rec: StoredApiKey } =>
    store.issue(cfg.workspaces[0]?.apps.find((a) => a.name === app)?.id ?? 'none', extra);

  before(async () => {
    echo = await startEcho();
    cfg = state({
      services: [{ name: 'svc', url: `http://${echo.address}` }],
      routes: [
        { name: 'plain', service: 'svc', paths: ['/plain'] },
        { name: 'hidden', service: 'svc', paths: ['/hidden'] },
        { name: 'scoped', service: 'svc', paths: ['/scoped'] },
        { name: 'reports', service: 'svc', paths: ['/reports'] },
        { name: 'anon', service: 'svc', paths: ['/anon'] },
      ],
      consumers: [
        { username: 'acme' },
        { username: 'blocked', enabled: false },
        { username: 'guest' },
        { username: 'initech', plan: 'reader' },
      ],
      plans: [
        { name: 'reader', scopes: ['reports:read'] },
        { name: 'writer', scopes: ['reports:read', 'reports:write'] },
      ],
      apps: [
        { name: 'acme-dashboard', consumer: 'acme', scopes: ['read', 'write'] },
        { name: 'acme-off', consumer: 'acme', enabled: false },
        { name: 'blocked-app', consumer: 'blocked' },
        { name: 'initech-app', consumer: 'initech' },
      ],
      plugins: [
        { name: 'key-auth', route: 'plain', config: {} },
        {
          name: 'key-auth',
          route: 'hidden',
          config: {
            hide_credentials: true,
            key_names: ['X-Api-Key'],
            query_names: ['api_key'],
            cookie_names: ['kw'],
          },
        },
        { name: 'key-auth', route: 'scoped', config: { required_scopes: ['write'] } },
        { name: 'key-auth', route: 'reports', config: { required_scopes: ['reports:write'] } },
        { name: 'key-auth', route: 'anon', config: { anonymous: 'guest' } },
      ].map((p) => ({ ...p, config: fill(p.config) })),
    });
    gw = await startGateway(cfg, { services: { apiKeys: resolver } });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await resolver.close();
  });

  async function call(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.url}${path}`, { headers });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, echo: () => JSON.parse(text) as Echo };
  }

  it('answers 401 KW_ERR_AUTH_MISSING with WWW-Authenticate when no key is sent', async () => {
    const r = await call('/plain');
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Key realm="keyway", header="apikey"');
    assert.match(r.text, /KW_ERR_AUTH_MISSING/);
  });

  it('challenges every invalid key too (RFC 9110 §11.6.1): Key for a header, Bearer for a bearer', async () => {
    const unknown = generateKey('live');
    const header = await call('/plain', { apikey: unknown });
    assert.equal(header.status, 401);
    assert.match(header.text, /KW_ERR_AUTH_INVALID/);
    assert.equal(
      header.headers['www-authenticate'],
      'Key realm="keyway", header="apikey", error="invalid_key"',
    );
    const typo = await call('/plain', { apikey: 'kw_live_garbage' });
    assert.equal(
      typo.headers['www-authenticate'],
      'Key realm="keyway", header="apikey", error="invalid_key"',
    );
    // RFC 6750 §3.1: a bearer token that is not valid is answered with the Bearer scheme's invalid_token.
    const bearer = await call('/plain', { authorization: `Bearer ${unknown}` });
    assert.equal(bearer.status, 401);
    assert.equal(bearer.headers['www-authenticate'], 'Bearer realm="keyway", error="invalid_token"');
    const hidden = await call('/hidden', { 'x-api-key': unknown });
    assert.equal(
      hidden.headers['www-authenticate'],
      'Key realm="keyway", header="x-api-key", error="invalid_key"',
    );
  });

  it('lets a valid key through with the identity headers upstream', async () => {
    const { key, rec } = issue('acme-dashboard', { scopes: ['read', 'admin'] });
    const variants: Array<Record<string, string>> = [
      { apikey: key },
      { APIKEY: key },
      { authorization: `Bearer ${key}` },
      { authorization: `bearer ${key}` },
    ];
    for (const headers of variants) {
      const r = await call('/plain', { ...headers, 'x-consumer-id': 'spoofed' });
      assert.equal(r.status, 200, JSON.stringify(headers));
      const h = r.echo().headers;
      assert.equal(h['x-consumer-username'], 'acme');
      assert.notEqual(h['x-consumer-id'], 'spoofed');
      assert.equal(h['x-credential-id'], rec.id);
      assert.equal(h['x-app-id'], cfg.workspaces[0]?.apps[0]?.id);
      // Narrowed to the app's scopes: `admin` is not among them.
      assert.equal(h['x-authenticated-scopes'], 'read');
    }
  });

  it('strips the key from headers, query and cookies with hide_credentials', async () => {
    const { key } = issue('acme-dashboard');
    let r = await call('/hidden?a=1', { 'x-api-key': key });
    assert.equal(r.status, 200);
    assert.equal(r.echo().headers['x-api-key'], undefined);
    r = await call(`/hidden?a=1&api_key=${key}&b=2`);
    assert.equal(r.status, 200);
    // The route strips its path prefix; the query keeps every other parameter as sent.
    assert.equal(r.echo().url, '/?a=1&b=2');
    r = await call('/hidden', { cookie: `session=s1; kw=${key}` });
    assert.equal(r.status, 200);
    assert.equal(r.echo().headers.cookie, 'session=s1');
    r = await call('/plain', { apikey: key });
    assert.equal(r.echo().headers['apikey'], key, 'kept without hide_credentials');
  });

  it('refuses a mistyped key with 401 and no store lookup', async () => {
    const { key } = issue('acme-dashboard');
    const before = store.lookups;
    const typo = key.slice(0, 30) + (key[30] === 'Q' ? 'R' : 'Q') + key.slice(31);
    const r = await call('/plain', { apikey: typo });
    assert.equal(r.status, 401);
    assert.match(r.text, /KW_ERR_AUTH_INVALID/);
    assert.ok(!r.text.includes(typo.slice(8, 20)), 'the key is not echoed');
    assert.equal(store.lookups, before);
  });

  it('answers unknown, expired, revoked, rotated-out and disabled the same 401', async () => {
    const cases = [
      generateKey('live'),
      issue('acme-dashboard', { expires_at: new Date(Date.now() - 1000).toISOString() }).key,
      issue('acme-dashboard', { status: 'revoked' }).key,
      issue('acme-dashboard', { grace_until: new Date(Date.now() - 1).toISOString() }).key,
      issue('acme-off').key,
      issue('blocked-app').key,
    ];
    const bodies = new Set<string>();
    for (const key of cases) {
      const r = await call('/plain', { apikey: key });
      assert.equal(r.status, 401);
      bodies.add((JSON.parse(r.text) as { error: { message: string } }).error.message);
    }
    assert.deepEqual([...bodies], ['invalid credentials']);
  });

  it('answers 403 when the key lacks a required scope', async () => {
    assert.equal(
      (await call('/scoped', { apikey: issue('acme-dashboard', { scopes: ['read'] }).key })).status,
      403,
    );
    assert.equal(
      (await call('/scoped', { apikey: issue('acme-dashboard', { scopes: ['write'] }).key })).status,
      200,
    );
  });

  it('takes the plan’s scopes when neither the key nor its app lists any (key tier first)', async () => {
    // initech is on `reader`: its key may read but not write.
    const reader = await call('/reports', { apikey: issue('initech-app').key });
    assert.equal(reader.status, 403);
    // A key whose tier names the `writer` plan gets that plan's scopes.
    const writer = await call('/reports', { apikey: issue('initech-app', { tier: 'writer' }).key });
    assert.equal(writer.status, 200);
    assert.equal(writer.echo().headers['x-authenticated-scopes'], 'reports:read reports:write');
    // A key's own scopes win over the plan's.
    const own = await call('/reports', {
      apikey: issue('initech-app', { tier: 'writer', scopes: ['x'] }).key,
    });
    assert.equal(own.status, 403);
  });

  it('falls back to the anonymous consumer without a key, but not with a bad one', async () => {
    const r = await call('/anon');
    assert.equal(r.status, 200);
    assert.equal(r.echo().headers['x-consumer-username'], 'guest');
    assert.equal((await call('/anon', { apikey: generateKey('live') })).status, 401);
  });

  it('leaves a bearer token that is not a Keyway key alone (any-of auth)', async () => {
    const r = await call('/plain', { authorization: 'Bearer eyJhbGciOi.payload.sig' });
    assert.equal(r.status, 401);
    assert.match(r.text, /KW_ERR_AUTH_MISSING/);
  });
});

/** Plugin configs arrive with their schema's defaults filled in, as the control layer stores them. */
function fill(config: Record<string, unknown>): Record<string, unknown> {
  return {
    key_names: ['apikey'],
    bearer: 'kw',
    query_names: [],
    cookie_names: [],
    hide_credentials: false,
    required_scopes: [],
    ...config,
  };
}
