// Journey 4 of SCENARIOS.md, single node: plans `free` and `gold` applied from YAML by `keyway apply`, a
// free key that bursts gets 429 with Retry-After and RateLimit headers, `keyway usage` reports the day's
// quota, and nonsense limits are refused by `apply` with the field path. A `trial` plan of 3 per hour
// shows the headers counting down exactly.
// The node runs in this process on a pinned clock (StartOptions.clock, the one every limit, quota and key
// check reads): the test moves it, so no answer depends on how fast the machine is. The CLI runs as a
// user runs it, in its own process against the node's admin API.
// (Three nodes sharing Redis: bench/limits-accuracy.mjs; Redis down/up: src/limits/redis-store.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { request } from 'undici';
import { startNode, type RunningNode } from '../../src/server/node.js';
import { loadSettings } from '../../src/server/settings.js';
import { runCli } from '../helpers/keyway-process.js';
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
  let node: RunningNode;
  let proxyUrl: string;
  let env: Record<string, string>;
  let dir: string;
  // Noon UTC: the Paris day of the `free` quota is 2026-11-28 whatever the test does with the clock.
  let now = Date.UTC(2026, 10, 28, 12);
  const cli = (args: string[]) => runCli(args, env);
  const call = async (key: string) => {
    const res = await request(`${proxyUrl}/weather/now`, { headers: { apikey: key } });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  /** Applies a file; the node has then loaded it (a reload under way is awaited, not raced). */
  const apply = async (file: string) => {
    const r = await cli(['apply', '-f', file]);
    if (r.code === 0) await node.snapshots.refresh();
    return r;
  };

  before(async () => {
    backend = await startEcho('weather-backend');
    const dataDir = mkdtempSync(join(tmpdir(), 'keyway-limits-'));
    node = await startNode({
      settings: loadSettings({
        env: {
          KEYWAY_DATA_DIR: dataDir,
          KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
          KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
          KEYWAY_PORTAL_LISTEN: 'off',
        },
      }),
      logger: pino({ level: 'silent' }),
      clock: () => now,
    });
    proxyUrl = `http://${node.addresses.proxy}`;
    env = { KEYWAY_ADMIN_URL: `http://${node.addresses.admin}`, KEYWAY_DATA_DIR: dataDir };
    dir = mkdtempSync(join(tmpdir(), 'keyway-limits-'));
    writeFileSync(join(dir, 'weather.yaml'), YAML(backend.address, '5'));
    const r = await apply(join(dir, 'weather.yaml'));
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await node.stop();
    await backend.close();
  });

  it('a free key that bursts gets 429 with Retry-After; usage shows the day', async () => {
    const created = await cli(['keys', 'create', '--app', 'acme-dashboard', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { key, record } = JSON.parse(created.stdout) as { key: string; record: { id: string } };
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await call(key));
    // All at one instant: 5 in the second, then refused until the first of them is 1 s old.
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200, 200, 429, 429, 429, 429, 429],
    );
    assert.match(
      String(answers[0]?.headers['ratelimit-policy']),
      /"5-per-1s";q=5;w=1, "1000-per-day";q=1000;w=86400/,
    );
    const refused = answers[5];
    assert.ok(refused !== undefined);
    assert.match(refused.body, /KW_ERR_RATE_LIMITED/);
    assert.equal(refused.headers['retry-after'], '1');
    now += 999;
    assert.equal((await call(key)).status, 429, 'still inside the second');
    now += 1;
    assert.equal((await call(key)).status, 200, 'the first has left the window');

    const usage = await cli(['usage', '--key', record.id, '--json']);
    assert.equal(usage.code, 0, usage.stderr);
    const report = JSON.parse(usage.stdout) as {
      plan: string;
      quotas: Array<{ used: number; remaining: number }>;
    };
    assert.equal(report.plan, 'free');
    // Requests refused for rate use no quota.
    assert.deepEqual(
      report.quotas.map((q) => [q.used, q.remaining]),
      [[6, 994]],
    );
    const text = await cli(['usage', '--key', record.id]);
    assert.match(text.stdout, /plan free/);
    assert.match(text.stdout, /1000-per-day\s+6\/1000\s+994 left\s+renews /);
  });

  it('3 per hour: 3 at once counting down 2, 1, 0, then 429 saying when the first leaves the window', async () => {
    const created = await cli(['keys', 'create', '--app', 'acme-trial', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(key));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 429],
    );
    assert.deepEqual(
      answers.map((a) => [a.headers['x-ratelimit-remaining'], a.headers['ratelimit']]),
      [
        ['2', '"3-per-1h";r=2;t=3600'],
        ['1', '"3-per-1h";r=1;t=3600'],
        ['0', '"3-per-1h";r=0;t=3600'],
        ['0', '"3-per-1h";r=0;t=3600'],
      ],
    );
    for (const a of answers) {
      assert.equal(a.headers['ratelimit-policy'], '"3-per-1h";q=3;w=3600');
      assert.equal(a.headers['x-ratelimit-limit'], '3');
      assert.equal(a.headers['x-ratelimit-reset'], '3600');
    }
    const refused = answers[3];
    assert.ok(refused !== undefined);
    assert.match(refused.body, /KW_ERR_RATE_LIMITED/);
    assert.equal(refused.headers['retry-after'], '3600');

    // 20 minutes on: still refused, and the wait is 20 minutes shorter.
    now += 1_200_000;
    const later = await call(key);
    assert.equal(later.status, 429);
    assert.equal(later.headers['retry-after'], '2400');
    assert.equal(later.headers['ratelimit'], '"3-per-1h";r=0;t=2400');
    // An hour after the three: they have all left the window.
    now += 2_400_000;
    const next = await call(key);
    assert.equal(next.status, 200);
    assert.equal(next.headers['x-ratelimit-remaining'], '2');
  });

  it('apply refuses limits that make no sense, with the field path, and changes nothing', async () => {
    writeFileSync(join(dir, 'bad.yaml'), YAML(backend.address, '-5'));
    const r = await apply(join(dir, 'bad.yaml'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /plans\/0\/rate_limits\/0\/limit/);
  });
});
