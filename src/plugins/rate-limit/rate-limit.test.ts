/**
 * Limits end to end through the data plane: a real gateway on port 0 in front of a real echo server,
 * key-auth over the real resolver, plans on keys/apps/consumers, local counters on a pinned clock (a
 * test moves it; nothing here depends on how fast the machine is).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';
import { startEcho, startServer, type TestServer } from '../../../test/helpers/upstream.js';
import { parseResource } from '../../control/resource-input.js';
import { MemoryKeys } from '../../../test/helpers/api-keys.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { generateKey } from '../../keys/key-format.js';
import { LocalCounterStore } from '../../limits/local-store.js';
import type { ConfigState, ResourceTypes } from '../../model/index.js';
import { validatePluginConfig } from '../registry.js';

const store = new MemoryKeys();

function plugin(name: string, route: string, config: Record<string, unknown> = {}): ResourceTypes['plugins'] {
  assert.deepEqual(validatePluginConfig(name, config), []);
  return { name, route, config };
}

describe('limits through the data plane', () => {
  let echo: TestServer;
  let slowServer: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  const resolver = new ApiKeyResolver(store, store.hasher, { pollMs: 0, negativeTtlMs: 0 });
  let now = Date.UTC(2026, 10, 28, 12);
  const local = new LocalCounterStore({ sweepMs: 0, now: () => now });
  const issue = (app: string, tier?: string): string =>
    store.issue(
      cfg.workspaces[0]?.apps.find((a) => a.name === app)?.id ?? 'none',
      tier === undefined ? {} : { tier },
    ).key;

  before(async () => {
    // The key filter, as a node has it: issued keys reach it, random ones are refused in memory.
    store.follow(resolver);
    await resolver.start();
    echo = await startEcho();
    slowServer = await startServer((_req, res) => setTimeout(() => res.end('slow'), 300));
    cfg = state({
      services: [
        { name: 'svc', url: `http://${echo.address}` },
        { name: 'slow', url: `http://${slowServer.address}` },
      ],
      routes: [
        'limited',
        'quota',
        'byheader',
        'hidden',
        'slow',
        'unknown',
        'twolimits',
        'window3',
        'legacy0',
        'legacy10',
        'rolling',
      ].map((n) => ({
        name: n,
        service: n === 'slow' ? 'slow' : 'svc',
        paths: [`/${n}`],
      })),
      plans: [
        {
          name: 'free',
          rate_limits: [{ limit: 5, window: '1s' }],
          quotas: [{ limit: 3, period: 'day' }],
        },
        { name: 'gold', rate_limits: [{ limit: 100, window: '1m' }] },
        // Written for the former GCRA default: `burst` is accepted and has no effect.
        { name: 'silver', rate_limits: [{ limit: 20, window: '1m', burst: 19 }] },
      ],
      consumers: [{ username: 'acme', plan: 'free' }],
      apps: [
        { name: 'acme-app', consumer: 'acme' },
        { name: 'acme-silver', consumer: 'acme', plan: 'silver' },
      ],
      plugins: [
        ...['limited', 'quota', 'hidden', 'slow', 'unknown'].map((r) =>
          plugin('key-auth', r, r === 'unknown' ? { unknown_keys_per_ip: { per_second: 1, burst: 2 } } : {}),
        ),
        plugin('rate-limit', 'limited'),
        plugin('quota', 'quota'),
        plugin('rate-limit', 'byheader', {
          use_plans: false,
          limits: [{ limit: 2, window: '1m', by: ['header'], header: 'X-Tenant' }],
        }),
        plugin('rate-limit', 'hidden', { hide_headers: true }),
        plugin('rate-limit', 'twolimits', {
          use_plans: false,
          limits: [
            { limit: 2, window: '1m', by: ['ip'] },
            { limit: 1, window: '1h', by: ['header'], header: 'X-Tenant' },
          ],
        }),
        plugin('concurrency', 'slow', { max: 1 }),
        plugin('rate-limit', 'window3', {
          use_plans: false,
          limits: [{ limit: 3, window: '10s', by: ['header'], header: 'X-Client' }],
        }),
        plugin('quota', 'rolling', {
          use_plans: false,
          quotas: [{ limit: 3, period: 'rolling', window: '1h' }],
        }),
        // Written for the former GCRA default: burst 0 meant one at once, burst 10 eleven.
        plugin('rate-limit', 'legacy0', { use_plans: false, limits: [{ limit: 3, window: '1h', burst: 0 }] }),
        plugin('rate-limit', 'legacy10', {
          use_plans: false,
          limits: [{ limit: 3, window: '1h', burst: 10 }],
        }),
      ],
    });
    gw = await startGateway(cfg, {
      services: { apiKeys: resolver, counters: local, localCounters: local, now: () => now },
    });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await slowServer.close();
    await resolver.close();
    await local.close();
  });

  async function call(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.url}${path}`, { headers });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }

  it('a free key bursting gets 429 KW_ERR_RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    const key = issue('acme-app');
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 8; i++) {
      last = await call('/limited', { apikey: key });
      statuses.push(last.status);
      if (i === 0) {
        assert.equal(last.headers['ratelimit-policy'], '"5-per-1s";q=5;w=1');
        assert.match(String(last.headers['ratelimit']), /^"5-per-1s";r=4;t=1$/);
        assert.equal(last.headers['x-ratelimit-limit'], '5');
        assert.equal(last.headers['x-ratelimit-remaining'], '4');
      }
    }
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.ok(last !== undefined && last.status === 429);
    assert.match(last.text, /KW_ERR_RATE_LIMITED/);
    assert.equal(last.headers['retry-after'], '1');
    assert.equal(last.headers['x-ratelimit-remaining'], '0');
    assert.match(String(last.headers['ratelimit']), /r=0/);
  });

  it('most specific plan wins: key tier > app plan > consumer plan', async () => {
    const burst = async (key: string) => {
      let ok = 0;
      for (let i = 0; i < 25; i++) if ((await call('/limited', { apikey: key })).status === 200) ok++;
      return ok;
    };
    assert.equal(await burst(issue('acme-app')), 5, 'consumer plan free');
    assert.equal(await burst(issue('acme-silver')), 20, 'app plan silver');
    assert.equal(await burst(issue('acme-silver', 'gold')), 25, 'key tier gold');
    assert.equal(await burst(issue('acme-app', 'no-such-plan')), 5, 'unknown tier falls back');
  });

  it('limit 3 per 10 s: 3 at once counting down 2, 1, 0, then 429 with Retry-After until one is 10 s old', async () => {
    const start = now;
    const seen: Array<[number, unknown, unknown, unknown, unknown]> = [];
    const step = async (at: number) => {
      now = start + at;
      const r = await call('/window3', { 'x-client': 'countdown' });
      seen.push([
        r.status,
        r.headers['x-ratelimit-remaining'],
        r.headers['x-ratelimit-reset'],
        r.headers['ratelimit'],
        r.headers['retry-after'],
      ]);
      assert.equal(r.headers['ratelimit-policy'], '"3-per-10s";q=3;w=10');
      assert.equal(r.headers['x-ratelimit-limit'], '3');
      return r;
    };
    await step(0);
    await step(1_000);
    await step(2_000);
    assert.match((await step(2_500)).text, /KW_ERR_RATE_LIMITED/);
    await step(9_999);
    await step(10_000);
    await step(10_000);
    assert.deepEqual(seen, [
      [200, '2', '10', '"3-per-10s";r=2;t=10', undefined],
      [200, '1', '9', '"3-per-10s";r=1;t=9', undefined],
      [200, '0', '8', '"3-per-10s";r=0;t=8', undefined],
      // The first of the three leaves the window at 10 s: 7.5 s from now, rounded up.
      [429, '0', '8', '"3-per-10s";r=0;t=8', '8'],
      [429, '0', '1', '"3-per-10s";r=0;t=1', '1'],
      [200, '0', '1', '"3-per-10s";r=0;t=1', undefined],
      [429, '0', '1', '"3-per-10s";r=0;t=1', '1'],
    ]);
  });

  it('never more than the limit in any window: 3 at once, then nothing until those 3 are 10 s old', async () => {
    const start = now;
    const admitted: number[] = [];
    // Three calls every second for 35 s.
    for (let s = 0; s < 35; s++) {
      now = start + s * 1_000;
      for (let i = 0; i < 3; i++)
        if ((await call('/window3', { 'x-client': 'steady' })).status === 200) admitted.push(s);
    }
    assert.deepEqual(admitted, [0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30]);
  });

  it('a 100-per-minute plan counts down from 99, not 0', async () => {
    const key = issue('acme-app', 'gold');
    const remaining = [];
    for (let i = 0; i < 3; i++)
      remaining.push((await call('/limited', { apikey: key })).headers['x-ratelimit-remaining']);
    assert.deepEqual(remaining, ['99', '98', '97']);
  });

  it('burst, written for the former GCRA default, no longer changes what passes', async () => {
    const pass = async (path: string) => {
      let ok = 0;
      for (let i = 0; i < 15; i++) if ((await call(path)).status === 200) ok++;
      return ok;
    };
    assert.equal(await pass('/legacy0'), 3);
    assert.equal(await pass('/legacy10'), 3);
  });

  it('changing a plan applies to the next request', async () => {
    const key = issue('acme-app');
    assert.equal((await call('/limited', { apikey: key })).headers['x-ratelimit-limit'], '5');
    const next = structuredClone(cfg);
    const ws = next.workspaces[0];
    assert.ok(ws !== undefined);
    const free = ws.plans.find((p) => p.name === 'free');
    assert.ok(free !== undefined);
    free.rate_limits = [{ limit: 50, window: '1s', burst: 49 }];
    gw.swap(next);
    try {
      assert.equal((await call('/limited', { apikey: key })).headers['x-ratelimit-limit'], '50');
    } finally {
      gw.swap(cfg);
    }
  });

  it('a quota answers 429 KW_ERR_QUOTA_EXCEEDED with Retry-After until the period renews', async () => {
    const key = issue('acme-app');
    for (let i = 0; i < 3; i++) assert.equal((await call('/quota', { apikey: key })).status, 200);
    const r = await call('/quota', { apikey: key });
    assert.equal(r.status, 429);
    assert.match(r.text, /KW_ERR_QUOTA_EXCEEDED/);
    const retry = Number(r.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 86_400, String(retry));
    assert.match(String(r.headers['ratelimit-policy']), /"3-per-day";q=3;w=86400/);
  });

  it('a rolling quota is the same sliding window: 3 in any hour, all at once if they come at once', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call('/rolling'));
    assert.deepEqual(
      answers.map((a) => [a.status, a.headers['x-ratelimit-remaining']]),
      [
        [200, '2'],
        [200, '1'],
        [200, '0'],
        [429, '0'],
      ],
    );
    const refused = answers[3];
    assert.match(refused?.text ?? '', /KW_ERR_QUOTA_EXCEEDED/);
    // The quota plugin counts by the wall clock: the first use leaves the window an hour after it was made.
    const retry = Number(refused?.headers['retry-after']);
    assert.ok(retry > 3_000 && retry <= 3_600, String(retry));
    assert.equal(refused?.headers['ratelimit-policy'], '"3-per-rolling-1h";q=3;w=3600');
  });

  it('varying the header case or the value case does not dodge a header-keyed limit', async () => {
    const variants = ['X-Tenant', 'x-tenant', 'X-TENANT', 'x-TeNaNt'];
    const statuses: number[] = [];
    for (const [i, name] of variants.entries()) {
      statuses.push((await call('/byheader', { [name]: i % 2 === 0 ? 'Acme' : 'ACME ' })).status);
    }
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    assert.equal((await call('/byheader', { 'x-tenant': 'other' })).status, 200);
  });

  it('X-Forwarded-For from an untrusted peer does not change the client IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await call('/byheader', { 'x-tenant': 'xff', 'x-forwarded-for': `10.0.0.${i}` })).status,
      );
    }
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });

  it('a request refused by one limit gives back what the others took', async () => {
    const call = async (tenant: string) => {
      const res = await request(`${gw.url}/twolimits`, { headers: { 'x-tenant': tenant } });
      await res.body.dump();
      return res.statusCode;
    };
    assert.equal(await call('t1'), 200);
    // The hourly per-tenant limit refuses; the per-IP bucket gets its unit back each time.
    for (let i = 0; i < 3; i++) assert.equal(await call('t1'), 429);
    // So the per-IP bucket still has the unit another tenant's first call needs.
    assert.equal(await call('t2'), 200);
    assert.equal(await call('t3'), 429);
  });

  it('hide_headers counts but tells nothing', async () => {
    const r = await call('/hidden', { apikey: issue('acme-app') });
    assert.equal(r.status, 200);
    assert.equal(r.headers['ratelimit'], undefined);
    assert.equal(r.headers['x-ratelimit-limit'], undefined);
  });

  it('unknown keys are limited by IP, never reach the store, and never hold back a valid key', async () => {
    const before = store.lookups;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await call('/unknown', { apikey: generateKey('live') })).status);
    assert.deepEqual(statuses.slice(0, 3), [401, 401, 401]);
    assert.ok(
      statuses.slice(3).every((s) => s === 429),
      statuses.join(),
    );
    assert.equal(store.lookups - before, 0, 'unknown keys are refused by the key filter');
    // A key issued now, never seen by this node, from the same IP: looked up and served.
    assert.equal((await call('/unknown', { apikey: issue('acme-app') })).status, 200);
  });

  it('concurrency: one in flight per key, released when the response closes', async () => {
    const key = issue('acme-app');
    const slow = request(`${gw.url}/slow`, { headers: { apikey: key } });
    await new Promise((r) => setTimeout(r, 100));
    const second = await call('/slow', { apikey: key });
    assert.equal(second.status, 429);
    assert.match(second.text, /KW_ERR_CONCURRENCY_LIMITED/);
    const first = await slow;
    await first.body.text();
    assert.equal(first.statusCode, 200);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await call('/slow', { apikey: key })).status, 200);
  });

  it('limits that make no sense are refused with the field path', () => {
    const bad = parseResource('plans', {
      name: 'broken',
      rate_limits: [
        { limit: -1, window: '1s' },
        { limit: 5, window: '0s' },
        { limit: 5, window: '1s', burst: -2 },
        { limit: 5, window: '1s', by: ['planet'] },
        { limit: 5, window: '1s', by: ['header'] },
      ],
      quotas: [
        { limit: 10, period: 'day', time_zone: 'Mars/Olympus' },
        { limit: 10, period: 'rolling' },
      ],
    });
    const paths = bad.details.map((d) => d.path);
    for (const p of [
      '/rate_limits/0/limit',
      '/rate_limits/1/window',
      '/rate_limits/2/burst',
      '/rate_limits/3/by/0',
      '/rate_limits/4/header',
      '/quotas/0/time_zone',
      '/quotas/1/window',
    ]) {
      assert.ok(paths.includes(p), `${p} missing from ${JSON.stringify(bad.details)}`);
    }
    const cfgBad = validatePluginConfig('rate-limit', { limits: [{ limit: 0, window: '1s' }] });
    assert.equal(cfgBad[0]?.path, '/config/limits/0/limit');
  });
});
