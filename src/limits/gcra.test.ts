/** GCRA accuracy, calendar quota periods with a fixed clock, and the local store's bounds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcra } from './gcra.js';
import { LocalCounterStore } from './local-store.js';
import { calendarPeriod } from '../core/quota-period.js';
import type { RateRule } from '../pipeline/counter-store.js';

describe('GCRA', () => {
  const rule: RateRule = { limit: 10, windowMs: 1000, burst: 9 };

  it('admits a full burst, then exactly the steady rate', () => {
    let tat: number | undefined;
    let admitted = 0;
    for (let i = 0; i < 30; i++) {
      const r = gcra(tat, rule, 1, 0);
      tat = r.tat;
      if (r.decision.allowed) admitted++;
    }
    assert.equal(admitted, 10);
    const refused = gcra(tat, rule, 1, 0).decision;
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 100);
    assert.equal(refused.remaining, 0);
    assert.equal(gcra(tat, rule, 1, 100).decision.allowed, true);
  });

  it('never lets 2× through around a window boundary (any window holds at most limit + burst)', () => {
    const strict: RateRule = { limit: 10, windowMs: 1000, burst: 0 };
    for (const r of [strict, rule]) {
      const store = new LocalCounterStore({ sweepMs: 0 });
      const times: number[] = [];
      // Hammer every millisecond for 5 s: a fixed window would admit 2×limit across 999→1000.
      for (let now = 0; now < 5000; now++) {
        for (let k = 0; k < 3; k++) if (store.consumeRateSync('k', r, 1, now).allowed) times.push(now);
      }
      for (let start = 0; start < 4000; start += 7) {
        const inWindow = times.filter((t) => t >= start && t < start + 1000).length;
        assert.ok(inWindow <= r.limit + r.burst, `window at ${start}: ${inWindow}`);
      }
      const boundary = times.filter((t) => t >= 900 && t < 1100).length;
      assert.ok(boundary <= r.burst + 3, `boundary burst ${boundary}`);
      void store.close();
    }
  });

  it('a refused request takes nothing, and cost 0 only reads', () => {
    const strict: RateRule = { limit: 1, windowMs: 1000, burst: 0 };
    const first = gcra(undefined, strict, 1, 0);
    const refused = gcra(first.tat, strict, 1, 500);
    assert.equal(refused.tat, first.tat);
    assert.equal(gcra(first.tat, strict, 0, 500).tat, first.tat);
  });
});

describe('calendar quota periods', () => {
  it('rolls over at local midnight of the zone, not UTC', () => {
    // 2026-11-28 22:59:59 UTC is 23:59:59 in Paris (UTC+1 in winter).
    const before = Date.UTC(2026, 10, 28, 22, 59, 59);
    const p1 = calendarPeriod('day', 'Europe/Paris', before);
    assert.equal(p1.id, '2026-11-28');
    assert.equal(p1.endMs, Date.UTC(2026, 10, 28, 23, 0, 0));
    const p2 = calendarPeriod('day', 'Europe/Paris', p1.endMs);
    assert.equal(p2.id, '2026-11-29');
    assert.equal(calendarPeriod('day', 'UTC', before).id, '2026-11-28');
  });

  it('handles months and daylight-saving days', () => {
    const m = calendarPeriod('month', 'America/New_York', Date.UTC(2027, 0, 1, 3, 0, 0));
    assert.equal(m.id, '2026-12');
    assert.equal(m.endMs, Date.UTC(2027, 0, 1, 5, 0, 0));
    // 2026-03-29 in Paris has 23 hours.
    const dst = calendarPeriod('day', 'Europe/Paris', Date.UTC(2026, 2, 29, 12));
    assert.equal(dst.endMs - dst.startMs, 23 * 3_600_000);
  });

  it('quota counts reset with the period id and a refused unit is not taken', () => {
    const store = new LocalCounterStore({ sweepMs: 0 });
    const day1 = { limit: 2, periodId: '2026-11-28', periodEndMs: 1000 };
    assert.equal(store.consumeQuotaSync('q', day1, 1, 0).allowed, true);
    assert.equal(store.consumeQuotaSync('q', day1, 1, 0).remaining, 0);
    const refused = store.consumeQuotaSync('q', day1, 1, 0);
    assert.equal(refused.allowed, false);
    assert.equal(refused.used, 2);
    assert.equal(refused.resetMs, 1000);
    const day2 = { limit: 2, periodId: '2026-11-29', periodEndMs: 2000 };
    assert.equal(store.consumeQuotaSync('q', day2, 1, 1000).used, 1);
    void store.close();
  });
});

describe('local store bounds', () => {
  it('forgets idle keys and caps the number of entries', () => {
    let now = 0;
    const store = new LocalCounterStore({ sweepMs: 0, maxEntries: 100, now: () => now });
    const rule = { limit: 1, windowMs: 1000, burst: 0 };
    for (let i = 0; i < 1000; i++) store.consumeRateSync(`ip-${i}`, rule, 1, 0);
    assert.equal(store.size, 100);
    store.sweep(1000);
    assert.equal(store.size, 0);
    assert.equal(store.acquireSync('c', 1, 50), true);
    assert.equal(store.acquireSync('c', 1, 50), false);
    now = 60;
    assert.equal(store.acquireSync('c', 1, 50), true, 'a slot held past its TTL is free again');
    void store.close();
  });
});
