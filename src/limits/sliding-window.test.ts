/**
 * The sliding-window rate rule ("at most `limit` in any `window`") on every counter store, with the same
 * assertions and a pinned clock: the in-process store, the cluster primary over an in-memory IPC channel,
 * and the real Redis on 127.0.0.1:6379 with the scripts reading the caller's clock (keys under a prefix
 * unique to this run, deleted at the end). The stores must agree to the millisecond.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type IpcChannel, type PrimaryMessage } from '../cluster/ipc.js';
import type { CounterStore, WindowRule } from '../pipeline/counter-store.js';
import { LocalCounterStore } from './local-store.js';
import { answerCounterMessage, PrimaryCounterStore } from '../cluster/primary-store.js';
import { RedisCounterStore } from './redis-store.js';
import { WINDOW_CHUNKS } from './sliding-window.js';

const REDIS = 'redis://127.0.0.1:6379';
const prefix = `kw-test:${randomUUID()}:`;
const T0 = 1_800_000_000_000;

const rule = (limit: number, windowMs: number): WindowRule => ({
  algorithm: 'sliding-window',
  limit,
  windowMs,
});

/** A deterministic arrival pattern (xorshift): bursts, gaps and steady runs, the same on every store. */
function arrivals(count: number, seed: number, meanGapMs: number): number[] {
  let x = seed;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
  const times: number[] = [];
  let t = T0;
  for (let i = 0; i < count; i++) {
    const r = rnd();
    // A third arrive together, a few after long pauses, the rest around the mean gap.
    t += r < 0.33 ? 0 : r > 0.97 ? meanGapMs * 40 : Math.floor(rnd() * 2 * meanGapMs);
    times.push(t);
  }
  return times;
}

/** How many of the sorted `times` lie in (at - window, at]. */
function inWindow(times: readonly number[], at: number, windowMs: number): number {
  let n = 0;
  for (const t of times) if (t > at - windowMs && t <= at) n++;
  return n;
}

interface Subject {
  store: CounterStore;
  /** Whether the store still holds anything for `key`. */
  holds: (key: string) => Promise<boolean>;
}

function contract(name: string, make: () => Promise<Subject>) {
  describe(`${name}: sliding window`, () => {
    it('limit 3 per 10 s: 3 at once counting down 2, 1, 0, then refused until the first leaves the window', async () => {
      const { store } = await make();
      const key = `w3:${randomUUID()}`;
      const r = rule(3, 10_000);
      const a = await store.consumeRate(key, r, 1, T0);
      assert.deepEqual(a, { allowed: true, limit: 3, remaining: 2, resetMs: 10_000, retryAfterMs: 0 });
      const b = await store.consumeRate(key, r, 1, T0 + 1_000);
      assert.deepEqual(b, { allowed: true, limit: 3, remaining: 1, resetMs: 9_000, retryAfterMs: 0 });
      const c = await store.consumeRate(key, r, 1, T0 + 2_000);
      assert.deepEqual(c, { allowed: true, limit: 3, remaining: 0, resetMs: 8_000, retryAfterMs: 0 });
      const refused = await store.consumeRate(key, r, 1, T0 + 2_500);
      assert.deepEqual(refused, {
        allowed: false,
        limit: 3,
        remaining: 0,
        resetMs: 7_500,
        retryAfterMs: 7_500,
      });
      assert.equal((await store.consumeRate(key, r, 1, T0 + 9_999)).retryAfterMs, 1);
      // At T0 + 10 s the first unit has left the window (T0, T0 + 10 s]; the next one leaves at T0 + 11 s.
      const again = await store.consumeRate(key, r, 1, T0 + 10_000);
      assert.deepEqual(again, { allowed: true, limit: 3, remaining: 0, resetMs: 1_000, retryAfterMs: 0 });
      assert.equal((await store.consumeRate(key, r, 1, T0 + 10_000)).retryAfterMs, 1_000);
    });

    it('a read (cost 0) takes nothing and leaves no key behind', async () => {
      const { store, holds } = await make();
      const key = `read:${randomUUID()}`;
      const d = await store.consumeRate(key, rule(3, 10_000), 0, T0);
      assert.deepEqual(d, { allowed: true, limit: 3, remaining: 3, resetMs: 0, retryAfterMs: 0 });
      assert.equal(await holds(key), false);
      await store.consumeRate(key, rule(3, 10_000), 1, T0);
      assert.equal((await store.consumeRate(key, rule(3, 10_000), 0, T0 + 5_000)).remaining, 2);
    });

    it('never more than the limit in any window, and exact: a refusal means the window was full', async () => {
      const { store } = await make();
      const key = `exact:${randomUUID()}`;
      const r = rule(5, 1_000);
      const admitted: number[] = [];
      for (const t of arrivals(600, 0x9e3779b9, 60)) {
        const d = await store.consumeRate(key, r, 1, t);
        const before = inWindow(admitted, t, r.windowMs);
        if (d.allowed) {
          admitted.push(t);
          assert.ok(before < r.limit, `admitted at ${t - T0} with ${before} already in the window`);
          assert.equal(d.remaining, r.limit - before - 1);
        } else {
          assert.equal(before, r.limit, `refused at ${t - T0} with only ${before} in the window`);
          // Retry-After is exactly when the oldest unit of the window leaves it.
          const oldest = admitted.filter((x) => x > t - r.windowMs)[0] ?? t;
          assert.equal(d.retryAfterMs, oldest + r.windowMs - t);
        }
      }
      assert.ok(admitted.length > 100 && admitted.length < 600, `admitted ${admitted.length}`);
    });

    it(`above ${WINDOW_CHUNKS} units per window: never over the limit, never more than a chunk short`, async () => {
      const { store } = await make();
      const key = `chunked:${randomUUID()}`;
      // About 1,300 arrive per window of 2 s: the limit is reached again and again.
      const r = rule(1_000, 2_000);
      const chunk = Math.ceil(r.limit / WINDOW_CHUNKS);
      const admitted: number[] = [];
      let refusals = 0;
      for (const t of arrivals(3_000, 0x2545f491, 1)) {
        const d = await store.consumeRate(key, r, 1, t);
        const before = inWindow(admitted, t, r.windowMs);
        if (d.allowed) {
          assert.ok(before < r.limit, `over the limit at ${t - T0}`);
          admitted.push(t);
        } else {
          refusals++;
          assert.ok(before > r.limit - chunk, `refused at ${t - T0} with ${before} in the window`);
        }
      }
      assert.ok(refusals > 0, 'the pattern must reach the limit');
    });

    it('a refund gives back the unit just taken, and never more than was taken', async () => {
      const { store, holds } = await make();
      const key = `refund:${randomUUID()}`;
      const r = rule(2, 3_600_000);
      assert.equal((await store.consumeRate(key, r, 1, T0)).allowed, true);
      assert.equal((await store.consumeRate(key, r, 1, T0 + 1)).allowed, true);
      assert.equal((await store.consumeRate(key, r, 1, T0 + 2)).allowed, false);
      await store.chargeRate(key, r, -1, T0 + 2);
      const back = await store.consumeRate(key, r, 1, T0 + 3);
      assert.equal(back.allowed, true);
      // The first unit still leaves at T0 + 1 h: the refund took the newest, not the oldest.
      assert.equal(back.resetMs, 3_600_000 - 3);
      await store.chargeRate(key, r, -5, T0 + 4);
      assert.equal(await holds(key), false, 'an emptied window leaves nothing behind');
      assert.equal((await store.consumeRate(key, r, 1, T0 + 5)).remaining, 1);
    });

    it('chargeRate takes past the limit; callers then wait until enough units leave the window', async () => {
      const { store } = await make();
      const key = `debt:${randomUUID()}`;
      const tpm = rule(600, 60_000);
      const first = await store.chargeRate(key, tpm, 500, T0);
      assert.deepEqual(first, {
        allowed: true,
        limit: 600,
        remaining: 100,
        resetMs: 60_000,
        retryAfterMs: 0,
      });
      // 900 of 600: one more unit fits only once the 500 taken at T0 have left (T0 + 60 s).
      const second = await store.chargeRate(key, tpm, 400, T0 + 1_000);
      assert.deepEqual(second, {
        allowed: false,
        limit: 600,
        remaining: 0,
        resetMs: 59_000,
        retryAfterMs: 59_000,
      });
      assert.equal((await store.consumeRate(key, tpm, 1, T0 + 30_000)).retryAfterMs, 30_000);
      const later = await store.consumeRate(key, tpm, 1, T0 + 60_000);
      assert.deepEqual(later, { allowed: true, limit: 600, remaining: 199, resetMs: 1_000, retryAfterMs: 0 });
    });
  });
}

contract('local store', () => {
  const store = new LocalCounterStore({ sweepMs: 0 });
  return Promise.resolve({ store, holds: (key: string) => Promise.resolve(store.chunksOf(key) > 0) });
});

describe('local store: memory', () => {
  it(`keeps at most ${WINDOW_CHUNKS} chunks per key and forgets a key once its window is empty`, () => {
    const store = new LocalCounterStore({ sweepMs: 0 });
    const r = rule(10_000, 86_400_000);
    // Every unit at its own millisecond: an exact log would keep 10,000 entries.
    for (let i = 0; i < 10_000; i++) assert.equal(store.consumeRateSync('busy', r, 1, T0 + i).allowed, true);
    assert.ok(store.chunksOf('busy') <= WINDOW_CHUNKS, `chunks ${store.chunksOf('busy')}`);
    assert.equal(store.consumeRateSync('busy', r, 1, T0 + 10_000).allowed, false);
    store.sweep(T0 + 9_998 + 86_400_000);
    assert.equal(store.size, 1, 'the newest unit is still in its window');
    store.sweep(T0 + 9_999 + 86_400_000);
    assert.equal(store.size, 0);
    void store.close();
  });
});

describe('local store: eviction', () => {
  it('evicts the least recently used window beyond the cap, recency kept to within a second', () => {
    const store = new LocalCounterStore({ sweepMs: 0, maxEntries: 2 });
    const r = rule(100, 3_600_000);
    store.consumeRateSync('a', r, 1, T0);
    store.consumeRateSync('b', r, 1, T0);
    // `a` used again a second later moves behind `b`: a third key evicts `b`.
    store.consumeRateSync('a', r, 1, T0 + 1_000);
    store.consumeRateSync('c', r, 1, T0 + 1_000);
    assert.deepEqual([store.chunksOf('a'), store.chunksOf('b'), store.chunksOf('c')], [2, 0, 1]);
    // Within the second it does not move (no Map write per request): `a` is now the oldest.
    store.consumeRateSync('a', r, 1, T0 + 1_500);
    store.consumeRateSync('d', r, 1, T0 + 1_500);
    assert.deepEqual([store.chunksOf('a'), store.chunksOf('c'), store.chunksOf('d')], [0, 1, 1]);
    void store.close();
  });
});

/** A worker ↔ primary pair over an in-memory channel, the way node:cluster carries the messages. */
function primaryPair(): { store: PrimaryCounterStore; primary: LocalCounterStore } {
  const primary = new LocalCounterStore({ sweepMs: 0 });
  const toWorker = new EventEmitter();
  const channel: IpcChannel = {
    connected: true,
    send(message) {
      answerCounterMessage(
        primary,
        {
          send: (m: PrimaryMessage) => {
            setImmediate(() => toWorker.emit('message', structuredClone(m)));
            return true;
          },
          isConnected: () => true,
        },
        structuredClone(message),
      );
      return true;
    },
    on: (_e, l) => toWorker.on('message', l),
    off: (_e, l) => toWorker.off('message', l),
  };
  return { store: new PrimaryCounterStore(channel), primary };
}

contract('cluster primary (IPC)', () => {
  const { store, primary } = primaryPair();
  return Promise.resolve({ store, holds: (key: string) => Promise.resolve(primary.chunksOf(key) > 0) });
});

describe('real Redis', () => {
  const stores: RedisCounterStore[] = [];
  const admin = new Redis(REDIS);
  after(async () => {
    for (const s of stores) await s.close();
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
  });
  const make = async (): Promise<RedisCounterStore> => {
    const store = new RedisCounterStore({ url: REDIS, prefix, clock: 'caller', commandTimeoutMs: 5_000 });
    stores.push(store);
    await store.ready();
    return store;
  };
  contract('Redis', async () => ({
    store: await make(),
    holds: async (key: string) => (await admin.exists(`${prefix}${key}`)) === 1,
  }));

  it('answers exactly as the in-process store to a random mix of takes, charges, refunds and reads', async () => {
    const store = await make();
    const local = new LocalCounterStore({ sweepMs: 0 });
    let x = 0x1234567;
    const rnd = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    for (const r of [rule(4, 1_000), rule(300, 2_000)]) {
      const key = `mix:${r.limit}:${randomUUID()}`;
      let t = T0;
      for (let i = 0; i < 1_500; i++) {
        t += [0, 0, 1, 3, 17, 250, 900][rnd(7)] ?? 0;
        const op = rnd(10);
        const cost = op < 6 ? 1 : op < 7 ? 0 : op < 9 ? -1 - rnd(3) : 1 + rnd(r.limit);
        const charge = op === 9 || (op >= 7 && op < 9);
        const [want, got] = charge
          ? [local.chargeRateSync(key, r, cost, t), await store.chargeRate(key, r, cost, t)]
          : [local.consumeRateSync(key, r, cost, t), await store.consumeRate(key, r, cost, t)];
        assert.deepEqual(got, want, `op ${i} (${charge ? 'charge' : 'consume'} ${cost} at +${t - T0})`);
      }
    }
    void local.close();
  });

  it('a key lives exactly until its newest unit leaves the window, and stays small', async () => {
    const store = await make();
    const r = rule(1_000, 86_400_000);
    const start = Date.now();
    // Each unit at its own millisecond: 125 chunks of 8.
    for (let i = 0; i < 1_000; i++) await store.consumeRate('ttl', r, 1, start + i);
    const ttl = await admin.pttl(`${prefix}ttl`);
    assert.ok(ttl > 86_000_000 && ttl <= 86_401_000, `ttl ${ttl}`);
    const bytes = await admin.strlen(`${prefix}ttl`);
    assert.ok(bytes < 20 * WINDOW_CHUNKS, `${bytes} bytes`);
  });

  it('a key left by the former GCRA counter is read as an empty window', async () => {
    const store = await make();
    await admin.set(`${prefix}legacy`, '1800000005000.000', 'PX', 60_000);
    const d = await store.consumeRate('legacy', rule(3, 10_000), 1, T0);
    assert.equal(d.allowed, true);
    assert.equal(d.remaining, 2);
  });

  it('with the server clock (the default), three stores share one window exactly', async () => {
    const shared = await Promise.all(
      [0, 1, 2].map(async () => {
        const s = new RedisCounterStore({ url: REDIS, prefix, commandTimeoutMs: 5_000 });
        stores.push(s);
        await s.ready();
        return s;
      }),
    );
    const r = rule(40, 3_600_000);
    const results = await Promise.all(
      shared.flatMap((s) => Array.from({ length: 50 }, () => s.consumeRate('shared', r, 1, 0))),
    );
    assert.equal(results.filter((d) => d.allowed).length, 40);
    const remaining = results.filter((d) => d.allowed).map((d) => d.remaining);
    assert.deepEqual(
      remaining.sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i),
      'each admitted call saw its own place in the window',
    );
  });
});
