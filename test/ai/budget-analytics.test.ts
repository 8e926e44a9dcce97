/**
 * AI usage and cost in analytics: rollups keep provider and model as dimensions at every level, so "cost
 * per consumer (team) and model" is one group-by over rollups — at minute, hour and day grain — and
 * other calls (no model) stay out of model groupings while still counting in totals.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summarize, timeseries, totals } from '../../src/observe/analytics.js';
import { RollupAggregator } from '../../src/observe/rollups.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { record } from '../observe/support.js';

describe('AI cost in analytics', () => {
  let dir: string;
  let store: Store;
  let db: ObserveDb;
  const t0 = Date.UTC(2026, 10, 3, 9, 0);
  const window = { since: t0, until: t0 + 10 * 60_000 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-ai-analytics-'));
    // The store runs the migrations (rollups gain provider and model); the observe db reads the same file.
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
    const ai = (minute: number, consumer: string, provider: string, model: string, cost: number) =>
      record({
        at: t0 + minute * 60_000,
        route: 'ai',
        consumer,
        app: `${consumer}-app`,
        provider,
        model,
        tokens_in: 100,
        tokens_out: 50,
        cost,
      });
    const rollups = new RollupAggregator();
    rollups.add([
      ai(0, 'team-a', 'oa', 'gpt-4o', 0.5),
      ai(1, 'team-a', 'oa', 'gpt-4o', 0.25),
      ai(2, 'team-a', 'an', 'claude-sonnet-4', 1.5),
      ai(3, 'team-b', 'oa', 'gpt-4o-mini', 0.01),
      ai(4, 'team-b', 'oa', 'gpt-4o-mini', 0.02),
      ai(5, 'team-b', 'oa', 'gpt-4o', 0.125),
      // Ordinary API calls of the same consumers: in totals, not in model groupings.
      record({ at: t0 + 60_000, route: 'weather', consumer: 'team-a' }),
      record({ at: t0 + 120_000, route: 'weather', consumer: 'team-b' }),
    ]);
    await rollups.flush(db);
  });
  after(async () => {
    await db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers cost per consumer and model, most expensive first, at every grain', async () => {
    for (const grain of ['m', 'h', 'd'] as const) {
      const since = grain === 'd' ? t0 - 9 * 3_600_000 : t0;
      const r = await summarize(db, { ...window, since, grain }, ['consumer', 'model'], {
        limit: 10,
        orderBy: 'cost',
      });
      assert.deepEqual(
        r.data.map((g) => [g.key, g.count, g.cost, g.tokens_in, g.tokens_out]),
        [
          [['team-a', 'claude-sonnet-4'], 1, 1.5, 100, 50],
          [['team-a', 'gpt-4o'], 2, 0.75, 200, 100],
          [['team-b', 'gpt-4o'], 1, 0.125, 100, 50],
          [['team-b', 'gpt-4o-mini'], 2, 0.03, 200, 100],
        ],
        `grain ${grain}`,
      );
    }
  });

  it('groups by provider or model alone, filters by them, and keeps totals whole', async () => {
    const byProvider = await summarize(db, { ...window, grain: 'h' }, 'provider', {
      limit: 10,
      orderBy: 'cost',
    });
    assert.deepEqual(
      byProvider.data.map((g) => [g.key, g.count, g.cost]),
      [
        ['an', 1, 1.5],
        ['oa', 5, 0.905],
      ],
    );
    const oneModel = await summarize(db, { ...window, grain: 'm', model: 'gpt-4o' }, 'consumer', {
      limit: 10,
      orderBy: 'cost',
    });
    assert.deepEqual(
      oneModel.data.map((g) => [g.key, g.cost]),
      [
        ['team-a', 0.75],
        ['team-b', 0.125],
      ],
    );
    const byTokens = await summarize(db, { ...window, grain: 'm' }, 'model', { limit: 1, orderBy: 'tokens' });
    assert.deepEqual(byTokens.data[0]?.key, 'gpt-4o');
    const all = await totals(db, { ...window, grain: 'm' });
    assert.equal(all.count, 8, 'ordinary calls count in totals');
    assert.equal(all.cost, 2.405);
    const teamA = await timeseries(db, { ...window, grain: 'm', consumer: 'team-a', provider: 'oa' });
    assert.deepEqual(
      teamA.data.map((p) => [p.bucket, p.cost]),
      [
        [new Date(t0).toISOString(), 0.5],
        [new Date(t0 + 60_000).toISOString(), 0.25],
      ],
    );
  });
});
