/**
 * The hot counter and histogram scrape exactly as prom-client's own would for the same observations:
 * Prometheus text and the JSON shape (`getMetricsAsJSON`) both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import client from 'prom-client';
import { HotCounter, HotHistogram } from '../../src/observe/hot-metrics.js';

const BUCKETS = [0.5, 1, 2, 5, 10];
const VALUES = [0.1, 0.5, 0.7, 3, 9.9, 10, 11, 250];

function both() {
  const ours = new client.Registry();
  const theirs = new client.Registry();
  const hist = new HotHistogram({
    name: 'h_ms',
    help: 'h',
    labelNames: ['service', 'route'],
    buckets: BUCKETS,
    registry: ours,
  });
  const count = new HotCounter({
    name: 'c_total',
    help: 'c',
    labelNames: ['service', 'status'],
    registry: ours,
  });
  const pHist = new client.Histogram({
    name: 'h_ms',
    help: 'h',
    labelNames: ['service', 'route'],
    buckets: BUCKETS,
    registers: [theirs],
  });
  const pCount = new client.Counter({
    name: 'c_total',
    help: 'c',
    labelNames: ['service', 'status'],
    registers: [theirs],
  });
  for (const route of ['a', 'b']) {
    const series = hist.labels({ service: 's', route });
    const child = pHist.labels({ service: 's', route });
    for (const v of VALUES) {
      series.observe(v);
      child.observe(v);
    }
  }
  const ok = count.labels({ service: 's', status: '200' });
  ok.value += 3;
  pCount.inc({ service: 's', status: '200' }, 3);
  count.labels({ service: 's', status: '500' }).value++;
  pCount.inc({ service: 's', status: '500' });
  return { ours, theirs };
}

describe('hot metrics', () => {
  it('scrape as the same Prometheus text as prom-client', async () => {
    const { ours, theirs } = both();
    assert.equal(await ours.metrics(), await theirs.metrics());
  });

  it('give the same JSON as prom-client', async () => {
    const { ours, theirs } = both();
    // prom-client adds an empty `exemplar` to each value; exemplars are not used here.
    const plain = (metrics: client.MetricObjectWithValues<client.MetricValue<string>>[]): unknown =>
      JSON.parse(JSON.stringify(metrics, (k, v: unknown) => (k === 'exemplar' ? undefined : v))) as unknown;
    assert.deepEqual(plain(await ours.getMetricsAsJSON()), plain(await theirs.getMetricsAsJSON()));
  });

  it('hand out one series per label values', () => {
    const c = new HotCounter({
      name: 'x_total',
      help: 'x',
      labelNames: ['a'],
      registry: new client.Registry(),
    });
    assert.equal(c.labels({ a: '1' }), c.labels({ a: '1' }));
    assert.notEqual(c.labels({ a: '1' }), c.labels({ a: '2' }));
  });
});

describe('a histogram observed in ms and exposed in seconds', () => {
  it('scrapes as prom-client does for the same durations in seconds', async () => {
    const ours = new client.Registry();
    const theirs = new client.Registry();
    const hist = new HotHistogram({
      name: 'd_seconds',
      help: 'd',
      labelNames: ['route'],
      buckets: [0.5, 1, 2.5, 25, 1000],
      scale: 1000,
      registry: ours,
    });
    const pHist = new client.Histogram({
      name: 'd_seconds',
      help: 'd',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.025, 1],
      registers: [theirs],
    });
    const series = hist.labels({ route: 'r' });
    for (const ms of [0.2, 0.5, 0.9, 2, 24, 26, 999, 1001]) {
      series.observe(ms);
      pHist.observe({ route: 'r' }, ms / 1000);
    }
    const lines = (text: string): string[] => text.split('\n').filter((l) => !l.includes('_sum'));
    const sum = (text: string): number => Number(/_sum\{route="r"\} (\S+)/.exec(text)?.[1]);
    const [a, b] = [await ours.metrics(), await theirs.metrics()];
    assert.deepEqual(lines(a), lines(b));
    assert.ok(Math.abs(sum(a) - sum(b)) < 1e-12, `${sum(a)} ≈ ${sum(b)}`);
    assert.match(a, /d_seconds_bucket\{le="0.025",route="r"\} 5/);
  });
});
