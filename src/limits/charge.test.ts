/**
 * The unconditional charges of the CounterStore contract (chargeRate, chargeQuota), on every store: the
 * in-process one with a fixed clock, the cluster primary over an in-memory IPC channel, the real Redis on
 * 127.0.0.1:6379 (keys under a prefix unique to this run, deleted at the end), and GuardedCounters falling
 * back to the local store when the shared one is unavailable.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type IpcChannel, type PrimaryMessage } from '../cluster/ipc.js';
import { KeywayError } from '../core/errors.js';
import {
  CounterUnavailableError,
  type CounterStore,
  type QuotaRule,
  type RateRule,
} from '../pipeline/counter-store.js';
import { GuardedCounters } from './guarded-store.js';
import { LocalCounterStore } from './local-store.js';
import { answerCounterMessage, PrimaryCounterStore } from '../cluster/primary-store.js';
import { RedisCounterStore } from './redis-store.js';

const REDIS = 'redis://127.0.0.1:6379';
const prefix = `kw-test:${randomUUID()}:`;

/** 600 tokens per minute in a bucket holding 600: one token every 100 ms. */
const TPM: RateRule = { limit: 600, windowMs: 60_000, burst: 599 };

type Make = () => Promise<{ store: CounterStore; clock: () => number }>;

/**
 * The contract, run against any store. `clock` is what the store counts time by; `slackMs` is how far the
 * figures may move while the test runs (0 with a frozen clock; a busy machine can stall a real one).
 */
function contract(name: string, make: Make, slackMs: number): void {
  describe(`${name}: chargeRate / chargeQuota`, () => {
    it('chargeRate takes units past the limit, and consumeRate then waits for the debt', async () => {
      const { store, clock } = await make();
      const key = `rate:${randomUUID()}`;
      const first = await store.chargeRate(key, TPM, 500, clock());
      assert.equal(first.allowed, true);
      assert.ok(first.remaining >= 99 && first.remaining <= 100, `remaining ${first.remaining}`);
      // 500 + 400 = 900 of 600: 300 owed. Nothing more can be taken for ~300 × 100 ms.
      const second = await store.chargeRate(key, TPM, 400, clock());
      assert.equal(second.allowed, false);
      assert.equal(second.remaining, 0);
      assert.ok(Math.abs(second.retryAfterMs - 30_100) <= slackMs, `retry ${second.retryAfterMs}`);
      assert.ok(Math.abs(second.resetMs - 90_000) <= slackMs, `reset ${second.resetMs}`);
      const refused = await store.consumeRate(key, TPM, 1, clock());
      assert.equal(refused.allowed, false);
      assert.ok(Math.abs(refused.retryAfterMs - 30_100) <= slackMs, `retry ${refused.retryAfterMs}`);
      // A read (cost 0) changes nothing.
      const read = await store.consumeRate(key, TPM, 0, clock());
      assert.equal(read.remaining, 0);
      assert.ok(Math.abs(read.resetMs - 90_000) <= slackMs, `reset ${read.resetMs}`);
    });

    it('chargeQuota adds unconditionally and reports the total after the charge', async () => {
      const { store, clock } = await make();
      const key = `quota:${randomUUID()}`;
      const rule: QuotaRule = { limit: 1_000, periodId: '2026-11', periodEndMs: clock() + 3_600_000 };
      assert.deepEqual(
        [
          (await store.chargeQuota(key, rule, 700, clock())).used,
          (await store.peekQuota(key, rule, clock())).used,
        ],
        [700, 700],
      );
      const over = await store.chargeQuota(key, rule, 700, clock());
      assert.equal(over.used, 1_400);
      assert.equal(over.allowed, false);
      assert.equal(over.remaining, 0);
      assert.equal((await store.chargeQuota(key, rule, 0, clock())).used, 1_400, 'cost 0 reads');
      // consumeQuota refuses once the charges went past the limit.
      assert.equal((await store.consumeQuota(key, rule, 1, clock())).allowed, false);
      // A new period starts from zero.
      const next: QuotaRule = { limit: 1_000, periodId: '2026-12', periodEndMs: clock() + 7_200_000 };
      assert.equal((await store.chargeQuota(key, next, 5, clock())).used, 5);
    });

    it('concurrent charges are atomic: exactly one crosses a threshold', async () => {
      const { store, clock } = await make();
      const key = `cross:${randomUUID()}`;
      const rule: QuotaRule = { limit: 10_000, periodId: 'p', periodEndMs: clock() + 60_000 };
      const results = await Promise.all(
        Array.from({ length: 200 }, () => store.chargeQuota(key, rule, 70, clock())),
      );
      const threshold = 8_000;
      const crossings = results.filter((d) => d.used - 70 < threshold && d.used >= threshold);
      assert.equal(crossings.length, 1);
      assert.equal(Math.max(...results.map((d) => d.used)), 14_000);
    });
  });
}

contract(
  'local store',
  () => {
    // A frozen clock: the figures are then exact to the millisecond.
    const now = 1_000_000;
    return Promise.resolve({
      store: new LocalCounterStore({ sweepMs: 0, now: () => now }),
      clock: () => now,
    });
  },
  0,
);

/** A worker ↔ primary pair over an in-memory channel, the way node:cluster carries the messages. */
function primaryPair(): PrimaryCounterStore {
  const primary = new LocalCounterStore({ sweepMs: 0 });
  const toWorker = new EventEmitter();
  const channel: IpcChannel = {
    connected: true,
    send(message) {
      answerCounterMessage(
        primary,
        {
          send: (m: PrimaryMessage) => {
            // Structured clone, as IPC does: nothing is shared by reference.
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
  return new PrimaryCounterStore(channel);
}

contract('cluster primary (IPC)', () => Promise.resolve({ store: primaryPair(), clock: Date.now }), 1_000);

describe('real Redis', () => {
  const stores: RedisCounterStore[] = [];
  const admin = new Redis(REDIS);
  after(async () => {
    for (const s of stores) await s.close();
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
  });
  contract(
    'Redis',
    async () => {
      const store = new RedisCounterStore({ url: REDIS, prefix });
      stores.push(store);
      await store.ready();
      return { store, clock: Date.now };
    },
    1_000,
  );

  it('debt keys carry a TTL (the time the debt takes to pay back), quota keys their period', async () => {
    const store = new RedisCounterStore({ url: REDIS, prefix });
    stores.push(store);
    await store.ready();
    await store.chargeRate('ttl-rate', TPM, 900, Date.now());
    const ttl = await admin.pttl(`${prefix}ttl-rate`);
    assert.ok(ttl > 85_000 && ttl <= 90_000, `ttl ${ttl}`);
    const rule: QuotaRule = { limit: 5, periodId: 'd1', periodEndMs: Date.now() + 60_000 };
    await store.chargeQuota('ttl-quota', rule, 9, Date.now());
    assert.ok((await admin.pttl(`${prefix}ttl-quota:d1`)) > 60_000, 'kept a grace day past the period');
  });
});

describe('GuardedCounters charges', () => {
  const down: CounterStore = {
    kind: 'redis',
    consumeRate: () => Promise.reject(new CounterUnavailableError('down')),
    consumeQuota: () => Promise.reject(new CounterUnavailableError('down')),
    peekQuota: () => Promise.reject(new CounterUnavailableError('down')),
    chargeRate: () => Promise.reject(new CounterUnavailableError('down')),
    chargeQuota: () => Promise.reject(new CounterUnavailableError('down')),
    acquire: () => Promise.reject(new CounterUnavailableError('down')),
    release: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const rule: QuotaRule = { limit: 10, periodId: 'p', periodEndMs: Date.now() + 60_000 };

  it('fail_open charges the local store while the shared one is away', async () => {
    const local = new LocalCounterStore({ sweepMs: 0 });
    const g = new GuardedCounters({ counters: down, localCounters: local }, 'fail_open');
    assert.equal((await g.chargeQuota('q', rule, 4, Date.now())).used, 4);
    assert.equal((await g.peekQuota('q', rule, Date.now())).used, 4);
    assert.equal((await g.chargeRate('r', TPM, 700, Date.now())).allowed, false);
    assert.equal(local.consumeRateSync('r', TPM, 1, Date.now()).allowed, false);
  });

  it('fail_closed answers KW_ERR_LIMITS_UNAVAILABLE', async () => {
    const g = new GuardedCounters({ counters: down }, 'fail_closed');
    for (const op of [
      () => g.chargeQuota('q', rule, 1, Date.now()),
      () => g.peekQuota('q', rule, Date.now()),
      () => g.chargeRate('r', TPM, 1, Date.now()),
    ]) {
      await assert.rejects(
        op(),
        (err: unknown) => err instanceof KeywayError && err.code === 'KW_ERR_LIMITS_UNAVAILABLE',
      );
    }
  });
});
