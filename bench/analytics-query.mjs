// Analytics query timing over 30 days of seeded rollups (issue 5: "queries over 30 days of rollups answer in
// under 200 ms"). Seeds a fresh SQLite store — day and hour rollups for 30 days, minute rollups for the last
// 6 hours — for ROUTES × CONSUMERS × 2 status classes, then times the admin API's queries (median of 5).
// Usage: npm run build && node bench/analytics-query.mjs [--routes 20] [--consumers 50]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../dist/src/store/open-store.js';
import { openObserveDb } from '../dist/src/observe/store/observe-db.js';
import { upsert } from '../dist/src/observe/rollups.js';
import { summarize, timeseries, totals } from '../dist/src/observe/analytics.js';

const { values } = parseArgs({
  options: { routes: { type: 'string', default: '20' }, consumers: { type: 'string', default: '50' } },
});
const ROUTES = Number(values.routes);
const CONSUMERS = Number(values.consumers);
const dir = mkdtempSync(path.join(tmpdir(), 'keyway-analytics-'));
const store = await openStore({ dataDir: dir });
const db = openObserveDb({ dataDir: dir });

const now = Date.now();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Rows at each rollup level, as the aggregator derives them (src/observe/rollups.ts): `full` per route ×
// consumer, `route` summed over consumers, `consumer` summed over routes.
function row(grain, bucket, r, c, cls, level = 'full') {
  const times = level === 'route' ? CONSUMERS : level === 'consumer' ? ROUTES : 1;
  const count = (cls === 2 ? 100 : 3) * times;
  const h = Array.from({ length: 16 }, (_, i) => (i === 3 ? count - 2 : i === 9 ? 2 : 0));
  return {
    grain,
    bucket,
    workspace: 'default',
    service: level === 'consumer' ? '' : `svc-${r % 5}`,
    route: level === 'consumer' ? '' : `route-${r}`,
    consumer: level === 'route' ? '' : `consumer-${c}`,
    app: level === 'route' ? '' : `app-${c}`,
    status_class: cls,
    count,
    latency_sum: count * 12,
    upstream_sum: count * 10,
    bytes_in: 0,
    bytes_out: count * 500,
    tokens_in: 0,
    tokens_out: 0,
    cost: 0,
    ...Object.fromEntries(h.map((v, i) => [`h${i}`, v])),
  };
}
const CODE = { full: (g) => g, route: (g) => g.toUpperCase(), consumer: (g) => `${g}c` };
async function seed(grain, size, from, to, level = 'full') {
  let n = 0;
  let batch = [];
  for (let b = from - (from % size); b < to; b += size) {
    for (let r = 0; r < (level === 'consumer' ? 1 : ROUTES); r++)
      for (let c = 0; c < (level === 'route' ? 1 : CONSUMERS); c++)
        for (const cls of [2, 5]) {
          batch.push(row(CODE[level](grain), b, r, c, cls, level));
          if (batch.length === 200) {
            await upsert(db, batch);
            n += batch.length;
            batch = [];
          }
        }
  }
  await upsert(db, batch);
  return n + batch.length;
}
const t0 = Date.now();
let rows = 0;
for (const level of ['full', 'route', 'consumer']) {
  rows +=
    (await seed('d', DAY, now - 30 * DAY, now, level)) +
    (await seed('h', HOUR, now - 30 * DAY, now, level)) +
    (await seed('m', 60_000, now - 6 * HOUR, now, level));
}
console.log(
  `seeded ${rows} rollup rows (${ROUTES} routes × ${CONSUMERS} consumers × 2 status classes) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

async function time(name, fn) {
  const ms = [];
  for (let i = 0; i < 5; i++) {
    const s = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(`${name.padEnd(48)} median ${ms[2].toFixed(1)} ms  (max ${ms[4].toFixed(1)} ms)`);
}
const d30 = { since: now - 30 * DAY, until: now };
await time('summary 30d by consumer (day grain)', () =>
  summarize(db, d30, 'consumer', { limit: 20, orderBy: 'count' }),
);
await time('summary 30d by route, by error rate', () =>
  summarize(db, d30, 'route', { limit: 20, orderBy: 'error_rate' }),
);
await time('totals 30d', () => totals(db, d30));
await time('timeseries 30d (day grain)', () => timeseries(db, d30));
await time('timeseries 30d one route, hour grain', () =>
  timeseries(db, { ...d30, grain: 'h', route: 'route-3' }),
);
await time('summary 7d by consumer (hour grain)', () =>
  summarize(db, { since: now - 7 * DAY, until: now }, 'consumer', { limit: 20, orderBy: 'count' }),
);
await time('timeseries 6h (minute grain)', () => timeseries(db, { since: now - 6 * HOUR, until: now }));
await db.close();
await store.close();
