/**
 * The Redis CounterStore against the real Redis on 127.0.0.1:6379: atomicity under many concurrent
 * clients, and what happens when the connection goes away and comes back. "Down" is a TCP relay this
 * test owns between the store and Redis, killed and restarted — the shared Redis server is never touched.
 * Every key lives under a prefix unique to this run, deleted at the end.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../../test/helpers/gateway.js';
import { startEcho, type TestServer } from '../../test/helpers/upstream.js';
import { validatePluginConfig } from '../plugins/registry.js';
import { LocalCounterStore } from './local-store.js';
import { RedisCounterStore } from './redis-store.js';

const REDIS = 'redis://127.0.0.1:6379';
const prefix = `kw-test:${randomUUID()}:`;

/** A TCP relay to Redis that the test can cut and restore, on a fixed port so clients reconnect to it. */
class Relay {
  server: net.Server | undefined;
  sockets = new Set<net.Socket>();
  port = 0;

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    server.listen(this.port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise((r) => server.close(r));
  }
}

describe('Redis counter store (real Redis)', () => {
  const admin = new Redis(REDIS);
  after(async () => {
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
  });

  it('many concurrent clients never take more than the limit', async (t) => {
    // 1,200 scripts at once: this checks exactness, not latency, so a loaded CI machine gets time.
    const stores = Array.from(
      { length: 6 },
      () => new RedisCounterStore({ url: REDIS, prefix, commandTimeoutMs: 5_000 }),
    );
    // Closed whatever happens: an open connection would keep the test process alive after a failure.
    t.after(() => Promise.all(stores.map((s) => s.close())));
    await Promise.all(stores.map((s) => s.ready()));
    const rule = { limit: 50, windowMs: 60_000, burst: 49 };
    const quota = { limit: 120, periodId: '2026-11-28', periodEndMs: Date.now() + 60_000 };
    const results = await Promise.all(
      stores.flatMap((s) =>
        Array.from({ length: 100 }, () =>
          Promise.all([
            s.consumeRate('rate', rule, 1, Date.now()),
            s.consumeQuota('quota', quota, 1, Date.now()),
          ]),
        ),
      ),
    );
    assert.equal(results.filter(([r]) => r.allowed).length, 50);
    assert.equal(results.filter(([, q]) => q.allowed).length, 120);
    const peek = await stores[0]?.peekQuota('quota', quota, Date.now());
    assert.equal(peek?.used, 120);
    const slots = await Promise.all(stores.map((s) => s.acquire('slots', 4, 10_000)));
    assert.equal(slots.filter(Boolean).length, 4);
    await stores[0]?.release('slots');
    assert.equal(await stores[5]?.acquire('slots', 4, 10_000), true);
    assert.ok((await admin.pttl(`${prefix}rate`)) > 0, 'keys carry a TTL');
  });

  it('a refund (negative charge) gives units back, and never more than a full bucket', async () => {
    const s = new RedisCounterStore({ url: REDIS, prefix, commandTimeoutMs: 5_000 });
    await s.ready();
    const rule = { limit: 2, windowMs: 3_600_000, burst: 1 };
    assert.equal((await s.consumeRate('refund', rule, 1, Date.now())).allowed, true);
    assert.equal((await s.consumeRate('refund', rule, 1, Date.now())).allowed, true);
    assert.equal((await s.consumeRate('refund', rule, 1, Date.now())).allowed, false);
    await s.chargeRate('refund', rule, -1, Date.now());
    assert.equal((await s.consumeRate('refund', rule, 1, Date.now())).allowed, true);
    // Refunding more than was taken empties the schedule: the key is gone, the bucket full (2 units).
    await s.chargeRate('refund', rule, -5, Date.now());
    assert.equal(await admin.exists(`${prefix}refund`), 0);
    assert.equal((await s.consumeRate('refund', rule, 1, Date.now())).remaining, 1);
    await s.close();
  });

  it('recovers from a flushed script cache (NOSCRIPT → EVAL)', async () => {
    const s = new RedisCounterStore({ url: REDIS, prefix });
    await s.ready();
    const rule = { limit: 1, windowMs: 1000, burst: 0 };
    await s.consumeRate('noscript', rule, 1, Date.now());
    await admin.script('FLUSH');
    const d = await s.consumeRate('noscript', rule, 1, Date.now());
    assert.equal(d.allowed, false);
    await s.close();
  });

  describe('Redis down and back, end to end', () => {
    const relay = new Relay();
    let store: RedisCounterStore;
    let local: LocalCounterStore;
    let echo: TestServer;
    let gw: TestGateway;

    before(async () => {
      await relay.start();
      store = new RedisCounterStore({ url: `redis://127.0.0.1:${relay.port}`, prefix });
      await store.ready();
      local = new LocalCounterStore({ sweepMs: 0 });
      echo = await startEcho();
      const limits = [{ limit: 3, window: '1m', burst: 2, by: ['ip'] }];
      const open = { limits, use_plans: false, policy: 'fail_open' };
      const closed = { limits, use_plans: false, policy: 'fail_closed' };
      assert.deepEqual(validatePluginConfig('rate-limit', open), []);
      assert.deepEqual(validatePluginConfig('rate-limit', closed), []);
      gw = await startGateway(
        state({
          services: [{ name: 'svc', url: `http://${echo.address}` }],
          routes: [
            { name: 'open', service: 'svc', paths: ['/open'] },
            { name: 'closed', service: 'svc', paths: ['/closed'] },
          ],
          plugins: [
            { name: 'rate-limit', route: 'open', config: open },
            { name: 'rate-limit', route: 'closed', config: closed },
          ],
        }),
        { services: { counters: store, localCounters: local } },
      );
    });
    after(async () => {
      await gw.close();
      await echo.close();
      await store.close();
      await local.close();
      await relay.stop();
    });

    const status = async (path: string): Promise<number> => {
      const res = await request(`${gw.url}${path}`);
      await res.body.text();
      return res.statusCode;
    };

    it('fail_open keeps serving with local counts, fail_closed answers 503, both recover', async () => {
      assert.equal(await status('/open'), 200);
      assert.equal(await status('/closed'), 200);

      await relay.stop();
      const started = Date.now();
      const closed = await status('/closed');
      assert.equal(closed, 503);
      assert.ok(Date.now() - started < 500, 'fails fast, does not hang on Redis');
      const res = await request(`${gw.url}/closed`);
      assert.match(await res.body.text(), /KW_ERR_LIMITS_UNAVAILABLE/);
      // fail_open counts on this node meanwhile: the limit still holds (3 per minute, fresh local count).
      const open = [
        await status('/open'),
        await status('/open'),
        await status('/open'),
        await status('/open'),
      ];
      assert.deepEqual(open, [200, 200, 200, 429]);

      await relay.start();
      const deadline = Date.now() + 5_000;
      while (!store.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(store.connected, 'reconnected by itself');
      // Back on Redis: the shared count (1 used before the outage) is what decides again.
      assert.deepEqual(
        [await status('/closed'), await status('/closed'), await status('/closed')],
        [200, 200, 429],
      );
    });
  });
});
