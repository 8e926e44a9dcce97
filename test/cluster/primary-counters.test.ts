// `--workers N` counting: two cluster workers consume from one rate key at once through the primary's
// store (IPC) and, for comparison, through Redis. Both must admit exactly the limit; the figures (calls
// per second, latency) are printed as test diagnostics and recorded in docs/cluster.md.
import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { RateRule } from '../../src/pipeline/counter-store.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { answerCounterMessage } from '../../src/cluster/primary-store.js';
import { percentile } from './support/cluster-env.js';

const REDIS_URL = process.env['KEYWAY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const WORKER = fileURLToPath(new URL('./support/counter-worker.js', import.meta.url));
const WORKERS = 2;
const CALLS = 3000;
// 1,000 at once (burst 999 + 1), refilling over a day: during the test nothing refills, so the exact
// answer is 1,000 admitted of 6,000 asked. The same for the sliding window of rate limits (at most 1,000
// in any day).
const LIMIT = 1000;
const RULE: RateRule = { limit: LIMIT, windowMs: 86_400_000, burst: LIMIT - 1 };
const WINDOW: RateRule = { algorithm: 'sliding-window', limit: LIMIT, windowMs: 86_400_000 };

interface Result {
  allowed: number;
  calls: number;
  elapsedMs: number;
  latencies: number[];
}

async function run(mode: 'primary' | 'redis', rule: RateRule = RULE): Promise<Result[]> {
  const store = new LocalCounterStore();
  const key = `kwtest:${randomBytes(4).toString('hex')}:rate`;
  // One prefix for both workers: they must share the Redis bucket.
  const prefix = `kwtest:${randomBytes(4).toString('hex')}:`;
  cluster.setupPrimary({ exec: WORKER, silent: false });
  const workers: Worker[] = [];
  const ready: Array<Promise<void>> = [];
  const results: Array<Promise<Result>> = [];
  for (let i = 0; i < WORKERS; i++) {
    const w = cluster.fork({
      COUNTER_MODE: mode,
      COUNTER_CALLS: String(CALLS),
      COUNTER_RULE: JSON.stringify(rule),
      COUNTER_KEY: key,
      COUNTER_REDIS_URL: REDIS_URL,
      COUNTER_PREFIX: prefix,
    });
    workers.push(w);
    ready.push(
      new Promise((resolve) => w.on('message', (m: { kw?: string }) => m.kw === 'test-ready' && resolve())),
    );
    results.push(
      new Promise((resolve, reject) => {
        w.on('message', (m: { kw?: string } & Result) => m.kw === 'test-result' && resolve(m));
        w.on('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
      }),
    );
    w.on('message', (m: unknown) => answerCounterMessage(store, w, m));
  }
  await Promise.all(ready);
  for (const w of workers) w.send({ kw: 'test-go' });
  const out = await Promise.all(results);
  await store.close();
  return out;
}

function report(mode: string, results: Result[]): string {
  const all = results.flatMap((r) => r.latencies);
  const calls = results.reduce((n, r) => n + r.calls, 0);
  const wall = Math.max(...results.map((r) => r.elapsedMs));
  return (
    `${mode}: ${calls} calls from ${results.length} workers in ${wall.toFixed(0)} ms ` +
    `(${Math.round((calls / wall) * 1000)} calls/s), latency p50 ${percentile(all, 50).toFixed(3)} ms ` +
    `p99 ${percentile(all, 99).toFixed(3)} ms, admitted ${results.reduce((n, r) => n + r.allowed, 0)}`
  );
}

describe('counting across --workers', { timeout: 60_000 }, () => {
  it('the primary store admits exactly the limit across two workers', async (t) => {
    const results = await run('primary');
    t.diagnostic(report('primary (IPC)', results));
    assert.equal(
      results.reduce((n, r) => n + r.allowed, 0),
      LIMIT,
    );
    // Both workers really competed for the same bucket.
    for (const r of results) assert.ok(r.allowed > 0 && r.allowed < LIMIT, JSON.stringify(r.allowed));
  });

  it('a sliding window admits exactly the limit across two workers, at the primary and in Redis', async () => {
    for (const mode of ['primary', 'redis'] as const) {
      const results = await run(mode, WINDOW);
      assert.equal(
        results.reduce((n, r) => n + r.allowed, 0),
        LIMIT,
        mode,
      );
    }
  });

  it('Redis admits exactly the limit too (the comparison figure)', async (t) => {
    const results = await run('redis');
    t.diagnostic(report('redis', results));
    assert.equal(
      results.reduce((n, r) => n + r.allowed, 0),
      LIMIT,
    );
  });
});
