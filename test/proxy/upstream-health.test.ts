// Upstream health, circuit breakers and retries against real servers on loopback (issue 25): a killed
// target leaves the rotation, a target answering 503 is retried around and marked unhealthy, a slow one
// times out and leaves, a flapping one goes and comes back with active checks, a failing service's breaker
// answers 503 KW_ERR_CIRCUIT_OPEN (or its fallback) without calling it, and health outlives a weight change.
// Time is injected: the states' clock is a variable, the checker's scheduler runs nothing by itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type Partial, type TestGateway } from '../helpers/gateway.js';
import { UpstreamStates } from '../../src/snapshot/upstream-states.js';
import { HealthChecker, type Scheduler } from '../../src/proxy/health-checker.js';
import type { TargetState } from '../../src/pipeline/target-state.js';

/** A server that counts its requests and answers as `answer` says (changeable during the test). */
async function target(name: string) {
  const t = {
    name,
    hits: 0,
    health: 200,
    answer: 200,
    retryAfter: undefined as string | undefined,
    delayMs: 0,
    server: undefined as unknown as TestServer,
  };
  t.server = await startServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(t.health).end();
      return;
    }
    t.hits++;
    const send = () => {
      res.writeHead(t.answer, {
        'x-upstream': name,
        ...(t.retryAfter === undefined ? {} : { 'retry-after': t.retryAfter }),
      });
      res.end(name);
    };
    if (t.delayMs > 0) setTimeout(send, t.delayMs);
    else send();
  });
  return t;
}
type Target = Awaited<ReturnType<typeof target>>;

/** Runs no timer by itself: the test calls `checker.check` when it wants a round of checks. */
const manual: Scheduler = { setTimeout: () => undefined, clearTimeout: () => undefined };

async function get(url: string, method = 'GET') {
  const res = await request(url, { method });
  return { status: res.statusCode, from: res.headers['x-upstream'], body: await res.body.text() };
}

describe('upstream health, breakers and retries', () => {
  let now = 1_000_000;
  const changes: string[] = [];
  let a: Target;
  let b: Target;
  let c: Target;
  let gw: TestGateway;
  let states: UpstreamStates;
  const checker = new HealthChecker(manual);

  const config = (weightA = 100): Partial => ({
    upstreams: [
      {
        name: 'pool',
        targets: [
          { target: a.server.address, weight: weightA },
          { target: b.server.address },
          { target: c.server.address },
        ],
        healthchecks: { passive: { failures: 2, timeouts: 1, statuses: [503], cooldown_ms: 5_000 } },
      },
      { name: 'named', targets: [{ target: `localhost:${a.server.port}` }], dns_refresh_ms: 1_000 },
      {
        name: 'checked',
        targets: [{ target: a.server.address }, { target: b.server.address }],
        healthchecks: {
          active: { path: '/health', interval_ms: 1_000, healthy_threshold: 2, unhealthy_threshold: 2 },
        },
      },
    ],
    services: [
      {
        name: 'pool',
        url: 'http://pool',
        retries: 2,
        read_timeout_ms: 300,
        retry: { statuses: [503], backoff_ms: 1, retry_after_max_ms: 1_000 },
      },
      { name: 'checked', url: 'http://checked' },
      { name: 'named', url: 'http://named' },
      {
        name: 'fragile',
        url: `http://${c.server.address}`,
        retries: 0,
        circuit_breaker: { consecutive_failures: 2, open_ms: 10_000, half_open_probes: 1 },
      },
      {
        name: 'fallback',
        url: `http://${c.server.address}/fb`,
        retries: 0,
        circuit_breaker: {
          consecutive_failures: 1,
          open_ms: 10_000,
          fallback: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"cached":true}' },
        },
      },
    ],
    routes: [
      { name: 'pool', service: 'pool', paths: ['/pool'] },
      { name: 'checked', service: 'checked', paths: ['/checked'] },
      { name: 'named', service: 'named', paths: ['/named'] },
      { name: 'fragile', service: 'fragile', paths: ['/fragile'] },
      { name: 'fallback', service: 'fallback', paths: ['/fallback'] },
    ],
  });
  const poolState = (t: Target, upstream = 'pool'): TargetState =>
    states.upstream('default', upstream).find((s) => s.address === t.server.address) as TargetState;
  const reset = (): void => {
    for (const t of [a, b, c])
      Object.assign(t, { hits: 0, health: 200, answer: 200, delayMs: 0, retryAfter: undefined });
  };

  before(async () => {
    [a, b, c] = await Promise.all([target('a'), target('b'), target('c')]);
    states = new UpstreamStates({ now: () => now });
    states.listener = (ch) =>
      changes.push(
        `${ch.upstream} ${ch.target === c.server.address ? 'c' : ch.target === b.server.address ? 'b' : ch.target === a.server.address ? 'a' : ch.target} ${ch.what} ${ch.state}`,
      );
    states.onProbesChanged = (p) => checker.sync(p);
    gw = await startGateway(state(config()), { states });
  });
  after(async () => {
    checker.close();
    await gw.close();
    await Promise.all([a, b, c].map((t) => t.server.close()));
  });

  it('retries a 503 of a GET on another target; passive checks take the target out after 2 failures', async () => {
    reset();
    b.answer = 503;
    for (let i = 0; i < 9; i++) {
      const r = await get(`${gw.url}/pool/x`);
      assert.equal(r.status, 200, `request ${i} answered by ${String(r.from)}`);
      assert.notEqual(r.from, 'b');
    }
    assert.equal(poolState(b).health, 'unhealthy');
    assert.equal(b.hits, 2, 'b is out of rotation after its second 503');
    assert.ok(changes.includes('pool b health unhealthy'));
  });

  it('a target named by host name is resolved through the DNS cache (dns_refresh_ms)', async () => {
    reset();
    for (let i = 0; i < 3; i++) assert.equal((await get(`${gw.url}/named`)).from, 'a');
  });

  it('never retries a POST on a status (it may have done its work)', async () => {
    reset();
    now += 10_000; // b's cooldown is over: back on probation
    a.answer = 503;
    b.answer = 503;
    c.answer = 503;
    const r = await get(`${gw.url}/pool/x`, 'POST');
    assert.equal(r.status, 503);
    assert.equal(a.hits + b.hits + c.hits, 1);
  });

  it('a Retry-After above the cap is passed to the client, not waited for', async () => {
    reset();
    now += 10_000;
    for (const t of [a, b, c]) {
      t.answer = 503;
      t.retryAfter = '30';
    }
    const r = await get(`${gw.url}/pool/x`);
    assert.equal(r.status, 503);
    assert.equal(a.hits + b.hits + c.hits, 1);
  });

  it('a slow target times out (504) and leaves the rotation; a killed one is retried around and leaves too', async () => {
    reset();
    now += 10_000;
    for (const t of [a, b, c]) poolState(t).answered(200);
    a.delayMs = 1_000;
    const seen: Array<number> = [];
    for (let i = 0; i < 6; i++) seen.push((await get(`${gw.url}/pool/slow`)).status);
    assert.equal(seen.filter((s) => s === 504).length, 1, `statuses ${seen.join(' ')}`);
    assert.equal(poolState(a).health, 'unhealthy');
    // c is killed: the connection is refused, the request goes to b at once, c is counted failed.
    await c.server.close();
    const after: Array<string | string[] | undefined> = [];
    for (let i = 0; i < 6; i++) {
      const r = await get(`${gw.url}/pool/dead`);
      assert.equal(r.status, 200);
      after.push(r.from);
    }
    assert.ok(
      after.every((f) => f === 'b'),
      after.join(' '),
    );
    assert.ok(['unhealthy', 'healthy'].includes(poolState(c).health));
  });

  it('active checks: a flapping target leaves after 2 failed checks and comes back after 2 good ones', async () => {
    reset();
    const sa = poolState(a, 'checked');
    assert.equal(checker.size >= 2, true, 'both targets are checked');
    a.health = 500;
    await checker.check(sa);
    assert.equal(sa.health, 'healthy', 'one failed check is not enough');
    await checker.check(sa);
    assert.equal(sa.health, 'unhealthy');
    assert.equal(sa.lastProbe?.status, 500);
    for (let i = 0; i < 4; i++) assert.equal((await get(`${gw.url}/checked`)).from, 'b');
    a.health = 200;
    await checker.check(sa);
    assert.equal(sa.health, 'unhealthy');
    await checker.check(sa);
    assert.equal(sa.health, 'healthy');
    const from = new Set<unknown>();
    for (let i = 0; i < 4; i++) from.add((await get(`${gw.url}/checked`)).from);
    assert.deepEqual([...from].sort(), ['a', 'b'], 'back in rotation');
    // Flapping again: down...
    a.health = 503;
    await checker.check(sa);
    await checker.check(sa);
    assert.equal(sa.health, 'unhealthy');
    a.health = 200;
  });

  it('health survives a new snapshot (a weight change), and a target that leaves is forgotten', async () => {
    const sa = poolState(a, 'checked');
    assert.equal(sa.health, 'unhealthy');
    gw.swap(state(config(50), 2));
    assert.equal(poolState(a, 'checked'), sa, 'the same state object');
    assert.equal(sa.health, 'unhealthy');
    const cfg = config(50);
    cfg.upstreams = cfg.upstreams?.map((u) =>
      u.name === 'checked' ? { ...u, targets: [{ target: b.server.address }] } : u,
    );
    gw.swap(state(cfg, 3));
    assert.equal(poolState(a, 'checked'), undefined);
    gw.swap(state(config(), 4));
  });

  it("a service's breaker opens after consecutive failures and answers 503 KW_ERR_CIRCUIT_OPEN without calling it", async () => {
    reset();
    c = await target('c2');
    // c was killed: the services pointing at it get the new one.
    gw.swap(state(config(), 5));
    c.answer = 502;
    assert.equal((await get(`${gw.url}/fragile`)).status, 502);
    assert.equal((await get(`${gw.url}/fragile`)).status, 502);
    const hits = c.hits;
    const open = await get(`${gw.url}/fragile`);
    assert.equal(open.status, 503);
    assert.equal((JSON.parse(open.body) as { error: { code: string } }).error.code, 'KW_ERR_CIRCUIT_OPEN');
    assert.equal(c.hits, hits, 'no upstream call');
    assert.ok(changes.includes('service:fragile * breaker open'));
    // Half-open after open_ms: one probe; it succeeds and the breaker closes.
    c.answer = 200;
    now += 10_000;
    assert.equal((await get(`${gw.url}/fragile`)).status, 200);
    assert.ok(changes.includes('service:fragile * breaker closed'));
    assert.equal((await get(`${gw.url}/fragile`)).status, 200);
  });

  it('an open breaker with a fallback answers the fallback', async () => {
    c.answer = 500;
    assert.equal((await get(`${gw.url}/fallback`)).status, 500);
    const fb = await request(`${gw.url}/fallback`);
    assert.equal(fb.statusCode, 200);
    assert.equal(fb.headers['content-type'], 'application/json');
    assert.deepEqual(await fb.body.json(), { cached: true });
  });
});
