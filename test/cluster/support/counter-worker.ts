/**
 * A cluster worker for primary-counters.test.ts: hammers one rate key through a CounterStore (the
 * primary's over IPC, or Redis) with `CONCURRENCY` calls in flight, and reports what it was granted and
 * how long the calls took.
 */
import { PrimaryCounterStore } from '../../../src/cluster/primary-store.js';
import { RedisCounterStore } from '../../../src/limits/redis-store.js';
import type { CounterStore, RateRule } from '../../../src/pipeline/counter-store.js';
import { workerChannel } from '../../../src/cluster/ipc.js';

const channel = workerChannel();
if (channel === undefined) throw new Error('run me as a cluster worker');
const mode = process.env['COUNTER_MODE'] ?? 'primary';
const calls = Number(process.env['COUNTER_CALLS'] ?? 1000);
const concurrency = Number(process.env['COUNTER_CONCURRENCY'] ?? 32);
const rule = JSON.parse(process.env['COUNTER_RULE'] ?? '{}') as RateRule;
const key = process.env['COUNTER_KEY'] ?? 'k';

const store: CounterStore =
  mode === 'redis'
    ? new RedisCounterStore({
        url: process.env['COUNTER_REDIS_URL'] ?? '',
        prefix: process.env['COUNTER_PREFIX'] ?? '',
      })
    : new PrimaryCounterStore(channel);

// Redis fails fast until connected: wait for the first answer on a throwaway key.
for (let i = 0; ; i++) {
  try {
    await store.consumeRate(
      `${key}:warmup:${process.pid}`,
      { limit: 1, windowMs: 1, burst: 0 },
      1,
      Date.now(),
    );
    break;
  } catch (err) {
    if (i > 200) throw err;
    await new Promise((r) => setTimeout(r, 10));
  }
}
// Start together: the test releases every worker at once so their calls interleave.
process.send?.({ kw: 'test-ready' });
await new Promise<void>((resolve) => {
  process.on('message', (m: unknown) => {
    if ((m as { kw?: string }).kw === 'test-go') resolve();
  });
});

let allowed = 0;
let next = 0;
const latencies: number[] = [];
const started = performance.now();
async function lane(): Promise<void> {
  while (next < calls) {
    next++;
    const t0 = performance.now();
    const d = await store.consumeRate(key, rule, 1, Date.now());
    latencies.push(performance.now() - t0);
    if (d.allowed) allowed++;
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
const elapsedMs = performance.now() - started;
await store.close();
process.send?.({ kw: 'test-result', allowed, calls, elapsedMs, latencies }, () => process.exit(0));
