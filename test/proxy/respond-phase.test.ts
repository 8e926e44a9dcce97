/**
 * Every answer passes the respond phase (src/pipeline/reply.ts): a real gateway on port 0, real loopback
 * upstreams (an echo server, a port where nothing listens), the in-process mock AI provider, key-auth over
 * the real resolver. On each kind of answer — proxied, AI JSON, AI event stream, request-termination, the
 * 401 of key-auth, the 403 of the AI model allow-list, the gateway's 502 — the `response-headers` plugin's
 * edit is there, and so are the RateLimit headers wherever the limit phase counted the request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import type { ConfigState, ResourceTypes } from '../../src/model/index.js';
import { validatePluginConfig } from '../../src/plugins/registry.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { deadPort, startEcho, type TestServer } from '../helpers/upstream.js';

const store = new MemoryKeys();

function plugin(
  name: string,
  service: string,
  config: Record<string, unknown> = {},
): ResourceTypes['plugins'] {
  assert.deepEqual(validatePluginConfig(name, config), []);
  return { name, service, config };
}

/** The plugins every service here carries: auth, a limit, and a response edit. */
function common(service: string): ResourceTypes['plugins'][] {
  return [
    plugin('key-auth', service),
    plugin('rate-limit', service, { use_plans: false, limits: [{ limit: 1000, window: '1m', name: 'gw' }] }),
    plugin('response-headers', service, { set: { 'x-edited': 'respond-phase' }, remove: ['x-upstream'] }),
  ];
}

describe('the respond phase sees every answer', () => {
  let echo: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  let key = '';
  const resolver = new ApiKeyResolver(store, store.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const local = new LocalCounterStore({ sweepMs: 0 });

  before(async () => {
    store.follow(resolver);
    await resolver.start();
    echo = await startEcho();
    cfg = state({
      services: [
        { name: 'proxied', url: `http://${echo.address}` },
        { name: 'dead', url: `http://127.0.0.1:${await deadPort()}` },
        { name: 'closed', url: `http://${echo.address}` },
        { name: 'ai', url: 'ai://gateway' },
      ],
      routes: [
        { name: 'proxied', service: 'proxied', paths: ['/proxied'] },
        { name: 'dead', service: 'dead', paths: ['/dead'] },
        { name: 'closed', service: 'closed', paths: ['/closed'] },
        { name: 'ai', service: 'ai', paths: ['/ai'], strip_path: true },
      ],
      ai_providers: [{ name: 'mock', type: 'mock' }],
      consumers: [{ username: 'acme' }],
      apps: [{ name: 'acme-app', consumer: 'acme' }],
      plugins: [
        ...['proxied', 'dead', 'closed', 'ai'].flatMap(common),
        plugin('request-termination', 'closed', { status_code: 503, message: 'down for maintenance' }),
        plugin('ai-proxy', 'ai', { requests_per_minute: 100, models: ['mock/mock-echo'] }),
      ],
    });
    gw = await startGateway(cfg, { services: { apiKeys: resolver, counters: local, localCounters: local } });
    key = store.issue(cfg.workspaces[0]?.apps.find((a) => a.name === 'acme-app')?.id ?? 'none').key;
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await resolver.close();
    await local.close();
  });

  async function call(path: string, init: { body?: unknown; key?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (init.key !== false) headers['apikey'] = key;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${gw.url}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  function edited(r: { headers: Record<string, unknown> }, what: string): void {
    assert.equal(r.headers['x-edited'], 'respond-phase', `${what}: response-headers ran`);
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/, `${what}: request id`);
  }

  function limited(r: { headers: Record<string, unknown> }, what: string, policy: RegExp): void {
    assert.match(String(r.headers['ratelimit-policy']), policy, `${what}: RateLimit-Policy`);
    assert.match(String(r.headers['ratelimit']), /"gw";r=\d+;t=\d+/, `${what}: RateLimit`);
    assert.ok(r.headers['x-ratelimit-remaining'] !== undefined, `${what}: X-RateLimit-Remaining`);
  }

  it('a proxied answer', async () => {
    const r = await call('/proxied/x');
    assert.equal(r.status, 200);
    edited(r, 'proxied');
    assert.equal(r.headers['x-upstream'], undefined, 'the upstream header was removed');
    limited(r, 'proxied', /^"gw";q=1000;w=60$/);
  });

  it('a 401 of key-auth: edited; no RateLimit headers, as the limit phase never counted it', async () => {
    const r = await call('/proxied/x', { key: false });
    assert.equal(r.status, 401);
    assert.match(r.text, /KW_ERR_AUTH_MISSING/);
    edited(r, '401');
    assert.equal(r.headers['ratelimit'], undefined);
  });

  it('a 502 of the gateway (nothing listens upstream)', async () => {
    const r = await call('/dead/x');
    assert.equal(r.status, 502);
    assert.match(r.text, /KW_ERR_UPSTREAM_UNAVAILABLE/);
    edited(r, '502');
    limited(r, '502', /^"gw";q=1000;w=60$/);
    assert.ok(
      gw.errors.some((e) => e.code === 'ECONNREFUSED'),
      'the failure was published',
    );
  });

  it('a request-termination answer', async () => {
    const r = await call('/closed/x');
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.text), { message: 'down for maintenance' });
    edited(r, 'request-termination');
    limited(r, 'request-termination', /^"gw";q=1000;w=60$/);
  });

  it('an AI answer (JSON): the route limit and the AI limits', async () => {
    const r = await call('/ai/v1/chat/completions', {
      body: { model: 'mock/mock-echo', messages: [{ role: 'user', content: 'hello' }] },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-keyway-ai-provider'], 'mock');
    edited(r, 'AI JSON');
    limited(r, 'AI JSON', /"gw";q=1000;w=60/);
    assert.match(String(r.headers['ratelimit-policy']), /"ai-rpm";q=100;w=60/);
  });

  it('an AI answer (event stream)', async () => {
    const r = await call('/ai/v1/chat/completions', {
      body: { model: 'mock/mock-echo', stream: true, messages: [{ role: 'user', content: 'hello' }] },
    });
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers['content-type']), /^text\/event-stream/);
    assert.match(r.text, /data: \[DONE\]/);
    edited(r, 'AI SSE');
    limited(r, 'AI SSE', /"gw";q=1000;w=60/);
    assert.match(String(r.headers['ratelimit-policy']), /"ai-rpm";q=100;w=60/);
  });

  it('a 403 of the AI allow-list, after the limit phase counted the request', async () => {
    const r = await call('/ai/v1/chat/completions', {
      body: { model: 'mock/mock-error-500', messages: [{ role: 'user', content: 'hello' }] },
    });
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /KW_ERR_MODEL_NOT_ALLOWED/);
    assert.equal((JSON.parse(r.text) as { error: { type: string } }).error.type, 'permission_error');
    edited(r, 'AI 403');
    limited(r, 'AI 403', /"gw";q=1000;w=60/);
  });
});
