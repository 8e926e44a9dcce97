// Rollups at three levels (full, per route, per consumer) must tell the same story whichever level a
// query reads: records folded once, then read by route, by consumer, by both and in total.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summarize, timeseries, totals } from '../../src/observe/analytics.js';
import { RollupAggregator } from '../../src/observe/rollups.js';
import { applyRetention } from '../../src/observe/store/retention.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { record } from './support.js';

describe('analytics over rollup levels', () => {
  let store: Store;
  let db: ObserveDb;
  const t0 = Date.UTC(2024, 6, 1, 9, 0);

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyway-analytics-'));
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
    const rollups = new RollupAggregator();
    // 3 routes × 4 consumers, 10 calls each per minute for 5 minutes; route-2 answers 5xx to consumer-0.
    const batch = [];
    for (let minute = 0; minute < 5; minute++)
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 4; c++)
          for (let i = 0; i < 10; i++)
            batch.push(
              record({
                at: t0 + minute * 60_000 + i * 1000,
                route: `route-${r}`,
                consumer: `consumer-${c}`,
                app: `app-${c}`,
                status: r === 2 && c === 0 ? 503 : 200,
                latency_ms: 5 + r,
              }),
            );
    rollups.add(batch);
    await rollups.flush(db);
  });
  after(async () => {
    await db.close();
    await store.close();
  });

  const window = { since: t0, until: t0 + 5 * 60_000 };

  it('gives the same totals at every level and grain', async () => {
    for (const grain of ['m', 'h', 'd'] as const) {
      const all = await totals(db, { ...window, since: t0 - (grain === 'd' ? 9 * 3_600_000 : 0), grain });
      assert.equal(all.count, 600, `grain ${grain}`);
      assert.equal(all.errors, 50, `grain ${grain}`);
    }
    const byRoute = await summarize(db, { ...window, grain: 'm' }, 'route');
    const byConsumer = await summarize(db, { ...window, grain: 'm' }, 'consumer');
    assert.deepEqual(byRoute.data.map((g) => [g.key, g.count]).sort(), [
      ['route-0', 200],
      ['route-1', 200],
      ['route-2', 200],
    ]);
    assert.equal(byConsumer.data.find((g) => g.key === 'consumer-0')?.errors, 50);
    assert.equal(
      byConsumer.data.reduce((n, g) => n + g.count, 0),
      600,
    );
  });

  it('answers a route and consumer filter from the full rows', async () => {
    const one = await totals(db, { ...window, grain: 'm', route: 'route-2', consumer: 'consumer-0' });
    assert.equal(one.count, 50);
    assert.equal(one.error_rate, 100);
    const oneConsumer = await totals(db, { ...window, grain: 'm', consumer: 'consumer-1' });
    assert.equal(oneConsumer.count, 150);
    assert.equal(oneConsumer.errors, 0);
    const series = await timeseries(db, { ...window, grain: 'm', route: 'route-1' });
    assert.deepEqual(
      series.data.map((p) => p.count),
      [40, 40, 40, 40, 40],
    );
  });

  it('ages every level out with its grain', async () => {
    await applyRetention(db, 30, t0 + 3 * 86_400_000);
    const minutes = await totals(db, { ...window, grain: 'm' });
    assert.equal(minutes.count, 0, 'minute rows of every level are gone after two days');
    const hours = await totals(db, { ...window, since: t0, grain: 'h' });
    assert.equal(hours.count, 600);
  });
});
