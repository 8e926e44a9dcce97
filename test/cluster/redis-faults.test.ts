// Redis counters under two kinds of trouble, against the real Redis on loopback:
// - our own event loop stalls (a big config apply) while Redis is healthy: its answers arrive during the
//   stall and wait in the socket; a command timeout that fires first must not be taken for a dead Redis,
//   so `fail_closed` limits never refuse then;
// - Redis black-holed (a relay this test pauses: connections open, nothing flows): the first calls find
//   out within the command timeout, then a circuit sends every call to its fail_open/fail_closed path at
//   once, without waiting, until a probe finds Redis answering again.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { CounterUnavailableError, type RateRule } from '../../src/pipeline/counter-store.js';
import { GuardedCounters } from '../../src/limits/guarded-store.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { RedisCounterStore } from '../../src/limits/redis-store.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { percentile, within } from './support/cluster-env.js';
import { Relay } from './support/relay.js';

const REDIS_URL = process.env['KEYWAY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `kwtest:redis-faults:${randomUUID()}:`;
const RULE: RateRule = { limit: 1_000_000, windowMs: 60_000, burst: 1_000_000 };

/** Holds this thread for `ms`: what a large synchronous config apply does to the event loop. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('Redis counters: our own stalls, and a black-holed Redis', { timeout: 120_000 }, () => {
  const admin = new Redis(REDIS_URL);
  const local = new LocalCounterStore({ sweepMs: 0 });
  after(async () => {
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
    await local.close();
  });

  it('healthy Redis, stalled event loop: fail_closed never refuses', async (t) => {
    const store = new RedisCounterStore({ url: REDIS_URL, prefix, commandTimeoutMs: 50 });
    t.after(() => store.close());
    await store.ready();
    const limits = new GuardedCounters({ counters: store, localCounters: local }, 'fail_closed');
    const refused: string[] = [];
    for (let round = 0; round < 5; round++) {
      const calls = Array.from({ length: 40 }, (_, i) =>
        limits.rate(`stall:${round}:${i}`, RULE, 1, Date.now()).then(
          (d) => (d.allowed ? undefined : 'denied'),
          (err: unknown) => (err as { code?: string }).code ?? String(err),
        ),
      );
      // Six times the command timeout: every answer is in before the loop turns again.
      stall(300);
      for (const outcome of await Promise.all(calls)) if (outcome !== undefined) refused.push(outcome);
    }
    assert.deepEqual(refused, [], 'a healthy Redis was taken for a dead one');
  });

  it('a stall does not hide a dead Redis: the call still fails, after the timeout', async (t) => {
    const relay = new Relay('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
    await relay.start();
    const store = new RedisCounterStore({
      url: `redis://127.0.0.1:${relay.port}`,
      prefix,
      commandTimeoutMs: 50,
    });
    t.after(async () => {
      await store.close();
      await relay.close();
    });
    await store.ready();
    relay.pause();
    const call = store.consumeRate('dead', RULE, 1, Date.now());
    stall(300);
    await assert.rejects(call, CounterUnavailableError);
  });

  describe('black-holed Redis: a circuit, then fast fallbacks; back when a probe answers', () => {
    let relay: Relay;
    let store: RedisCounterStore;
    let echo: TestServer;
    let gw: TestGateway;

    before(async () => {
      relay = new Relay('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
      await relay.start();
      store = new RedisCounterStore({ url: `redis://127.0.0.1:${relay.port}`, prefix });
      await store.ready();
      echo = await startEcho('redis-faults');
      const limits = [{ limit: 1000, window: '1s', burst: 1000, by: ['ip'] }];
      gw = await startGateway(
        state({
          services: [{ name: 'svc', url: `http://${echo.address}` }],
          routes: [
            { name: 'open', service: 'svc', paths: ['/open'] },
            { name: 'closed', service: 'svc', paths: ['/closed'] },
          ],
          plugins: [
            { name: 'rate-limit', route: 'open', config: { limits, use_plans: false, policy: 'fail_open' } },
            {
              name: 'rate-limit',
              route: 'closed',
              config: { limits, use_plans: false, policy: 'fail_closed' },
            },
          ],
        }),
        { services: { counters: store, localCounters: local } },
      );
    });
    after(async () => {
      await gw?.close();
      await echo?.close();
      await store?.close();
      await relay?.close();
    });

    const call = async (path: string): Promise<{ status: number; ms: number }> => {
      const t0 = performance.now();
      const res = await request(`${gw.url}${path}`);
      await res.body.dump();
      return { status: res.statusCode, ms: performance.now() - t0 };
    };

    it('only the first calls wait for the command timeout; the rest take their policy at once', async (t) => {
      const healthy: number[] = [];
      for (let i = 0; i < 100; i++) {
        const o = await call('/open/x');
        assert.equal(o.status, 200);
        healthy.push(o.ms);
      }
      assert.equal((await call('/closed/x')).status, 200);
      const before = store.stats();
      relay.pause();
      const open: number[] = [];
      const closed: number[] = [];
      for (let i = 0; i < 100; i++) {
        const o = await call('/open/x');
        assert.equal(o.status, 200);
        open.push(o.ms);
        const c = await call('/closed/x');
        assert.equal(c.status, 503);
        closed.push(c.ms);
      }
      const after = store.stats();
      // 200 limited calls: the first went to Redis and waited for the 250 ms timeout (a second one may
      // have been in flight with it); every later one took its policy without sending anything.
      assert.ok(after.sent - before.sent <= 2, JSON.stringify({ before, after }));
      assert.ok(after.open, 'the circuit is open');
      t.diagnostic(
        `Redis healthy, per request through the proxy: p50 ${percentile(healthy, 50).toFixed(2)} ms`,
      );
      t.diagnostic(
        `Redis black-holed, per request through the proxy: fail_open p50 ${percentile(open, 50).toFixed(2)} ms ` +
          `p99 ${percentile(open, 99).toFixed(2)} ms; fail_closed p50 ${percentile(closed, 50).toFixed(2)} ms ` +
          `p99 ${percentile(closed, 99).toFixed(2)} ms`,
      );
      // The fallback decision itself, without HTTP: 10,000 calls on the open circuit.
      const limits = new GuardedCounters({ counters: store, localCounters: local }, 'fail_open');
      const t0 = performance.now();
      for (let i = 0; i < 10_000; i++) await limits.rate('direct', RULE, 1, Date.now());
      t.diagnostic(
        `fallback decision on the open circuit: ${(((performance.now() - t0) / 10_000) * 1000).toFixed(1)} µs a call`,
      );

      relay.resume();
      const back = await within(10_000, async () => (await call('/closed/x')).status === 200, 50);
      assert.ok(back < 10_000, 'the circuit did not close after Redis answered again');
      await sleep(10);
      assert.equal((await call('/closed/x')).status, 200);
    });

    it('Redis refusing connections opens the circuit too, and reconnecting closes it', async () => {
      await relay.cut();
      for (let i = 0; i < 20; i++) assert.equal((await call('/closed/x')).status, 503);
      await relay.restore();
      const back = await within(10_000, async () => (await call('/closed/x')).status === 200, 50);
      assert.ok(back < 10_000, 'not back after Redis returned');
    });
  });
});
