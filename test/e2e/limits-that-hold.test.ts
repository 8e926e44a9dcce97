// Journey 4 of SCENARIOS.md, single node, with a real `keyway start` process: plans `free` and `gold`
// applied from YAML, a free key that bursts gets 429 with Retry-After and RateLimit headers, `keyway usage`
// reports the day's quota, and nonsense limits are refused by `apply` with the field path. A `trial`
// plan of 3 per hour shows the headers counting down exactly; its window is long enough that nothing
// here depends on how fast the machine is (the time the calls took only bounds the seconds reported).
// (Three nodes sharing Redis: bench/limits-accuracy.mjs; Redis down/up: src/limits/redis-store.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const YAML = (backend: string, freeRate: string) =>
  [
    '_format_version: "1"',
    'plans:',
    '  - name: free',
    `    rate_limits: [{ limit: ${freeRate}, window: 1s }]`,
    '    quotas: [{ limit: 1000, period: day, time_zone: Europe/Paris }]',
    '  - name: gold',
    '    rate_limits: [{ limit: 100, window: 1s }]',
    '    quotas: [{ limit: 1000000, period: month }]',
    '  - name: trial',
    '    rate_limits: [{ limit: 3, window: 1h }]',
    'services:',
    '  - name: weather',
    `    url: http://${backend}`,
    '    routes:',
    '      - name: weather',
    '        paths: [/weather]',
    '        plugins:',
    '          - name: key-auth',
    '          - name: rate-limit',
    '          - name: quota',
    'consumers:',
    '  - username: acme',
    '    plan: free',
    '    apps:',
    '      - name: acme-dashboard',
    '      - name: acme-trial',
    '        plan: trial',
    '',
  ].join('\n');

describe('limits that hold (one node)', () => {
  let backend: TestServer;
  let kw: KeywayProcess;
  let env: Record<string, string>;
  let dir: string;
  const cli = (args: string[]) => runCli(args, env);

  before(async () => {
    backend = await startEcho('weather-backend');
    kw = await startKeyway();
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    dir = mkdtempSync(join(tmpdir(), 'keyway-limits-'));
    writeFileSync(join(dir, 'weather.yaml'), YAML(backend.address, '5'));
    const r = await cli(['apply', '-f', join(dir, 'weather.yaml')]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await kw.stop();
    await backend.close();
  });

  it('a free key that bursts gets 429 with Retry-After; usage shows the day', async () => {
    const created = await cli(['keys', 'create', '--app', 'acme-dashboard', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { key, record } = JSON.parse(created.stdout) as { key: string; record: { id: string } };
    const call = async () => {
      const res = await request(`${kw.proxyUrl}/weather/now`, { headers: { apikey: key } });
      await res.body.text();
      return res;
    };
    let first = await call();
    for (let i = 0; i < 100 && first.statusCode !== 200; i++) {
      await sleep(50);
      first = await call();
    }
    assert.equal(first.statusCode, 200);
    assert.match(
      String(first.headers['ratelimit-policy']),
      /"5-per-1s";q=5;w=1, "1000-per-day";q=1000;w=86400/,
    );
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 10; i++) {
      const r = await call();
      statuses.push(r.statusCode);
      if (r.statusCode === 429) refused = r;
    }
    assert.ok(statuses.filter((s) => s === 200).length <= 5, statuses.join());
    assert.ok(refused !== undefined);
    assert.equal(refused.headers['retry-after'], '1');

    const usage = await cli(['usage', '--key', record.id, '--json']);
    assert.equal(usage.code, 0, usage.stderr);
    const report = JSON.parse(usage.stdout) as {
      plan: string;
      quotas: Array<{ used: number; remaining: number }>;
    };
    assert.equal(report.plan, 'free');
    const used = report.quotas[0]?.used ?? 0;
    assert.ok(used >= 2 && used <= 6, `used ${used}: refused-by-rate requests use no quota`);
    const text = await cli(['usage', '--key', record.id]);
    assert.match(text.stdout, /plan free/);
    assert.match(text.stdout, /1000-per-day\s+\d+\/1000\s+\d+ left\s+renews /);
  });

  it('3 per hour: 3 at once counting down 2, 1, 0, then 429 saying when the first leaves the window', async () => {
    const created = await cli(['keys', 'create', '--app', 'acme-trial', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const started = performance.now();
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(`${kw.proxyUrl}/weather/now`, { headers: { apikey: key } });
      answers.push({ status: res.statusCode, headers: res.headers, body: await res.body.text() });
    }
    // The server counted these calls within the time they took here: seconds left are at most that short of 1 h.
    const lowest = 3600 - Math.ceil((performance.now() - started) / 1000);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 429],
    );
    assert.deepEqual(
      answers.map((a) => a.headers['x-ratelimit-remaining']),
      ['2', '1', '0', '0'],
    );
    for (const [i, a] of answers.entries()) {
      assert.equal(a.headers['ratelimit-policy'], '"3-per-1h";q=3;w=3600');
      assert.equal(a.headers['x-ratelimit-limit'], '3');
      const m = /^"3-per-1h";r=(\d+);t=(\d+)$/.exec(String(a.headers['ratelimit']));
      assert.ok(m !== null, String(a.headers['ratelimit']));
      assert.equal(Number(m[1]), Math.max(0, 2 - i));
      const t = Number(m[2]);
      assert.ok(t >= lowest && t <= 3600, `t=${t}`);
      assert.equal(a.headers['x-ratelimit-reset'], String(t));
    }
    const refused = answers[3];
    assert.ok(refused !== undefined);
    assert.match(refused.body, /KW_ERR_RATE_LIMITED/);
    const retry = Number(refused.headers['retry-after']);
    assert.ok(retry >= lowest && retry <= 3600, `Retry-After ${retry}`);
    assert.equal(refused.headers['x-ratelimit-reset'], String(retry));
  });

  it('apply refuses limits that make no sense, with the field path, and changes nothing', async () => {
    writeFileSync(join(dir, 'bad.yaml'), YAML(backend.address, '-5'));
    const r = await cli(['apply', '-f', join(dir, 'bad.yaml')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /plans\/0\/rate_limits\/0\/limit/);
  });
});
