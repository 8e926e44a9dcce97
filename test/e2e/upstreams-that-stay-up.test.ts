// Upstream health through a whole node (issue 25): an upstream with active checks and a dead target, created
// through the admin API; the node's own checks take the dead target out (GET /upstreams/{name}/health,
// /status, an `upstream_health` alert event in the history and at a rule's webhook), traffic goes to the live
// one only, and a weight change through PATCH keeps what health saw. The checks run on the node's real
// timers: the test waits for their verdict (bounded), it asserts no duration.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { request } from 'undici';
import { startNode, type RunningNode } from '../../src/server/node.js';
import { loadSettings } from '../../src/server/settings.js';
import { deadPort, startEcho, startServer, type TestServer } from '../helpers/upstream.js';

interface TargetView {
  target: string;
  weight: number;
  health: string;
  in_flight: number;
  last_check?: { status: number; error?: string };
}

describe('upstreams that stay up (one node)', () => {
  let live: TestServer;
  let hooks: TestServer;
  const heard: Array<Record<string, unknown>> = [];
  let dead: string;
  let node: RunningNode;
  let adminUrl: string;
  let proxyUrl: string;
  let token: string;

  const admin = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => {
    const res = await request(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.body.json()) as Record<string, unknown>;
    if (method !== 'GET') await node.snapshots.refresh();
    return { status: res.statusCode, json };
  };
  const health = async () => (await admin('GET', '/upstreams/pool/health')).json as { targets: TargetView[] };
  /** Waits (bounded) until `ok` holds; the checks run on the node's timers. */
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`never: ${what}`);
  };

  before(async () => {
    live = await startEcho('live');
    dead = `127.0.0.1:${await deadPort()}`;
    hooks = await startServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        heard.push(JSON.parse(text) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'keyway-health-'));
    node = await startNode({
      settings: loadSettings({
        env: {
          KEYWAY_DATA_DIR: dataDir,
          KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
          KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
        },
      }),
      logger: pino({ level: 'silent' }),
    });
    adminUrl = `http://${node.addresses.admin}`;
    proxyUrl = `http://${node.addresses.proxy}`;
    token = readFileSync(node.adminTokenFile, 'utf8').trim();
    const rule = await admin('POST', '/alerts/rules', {
      name: 'targets',
      kind: 'upstream_health',
      webhook_url: `http://${hooks.address}/hook`,
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.json));
  });
  after(async () => {
    await node.stop();
    await live.close();
    await hooks.close();
  });

  it('refuses a hashing upstream without hash_on, naming the field, and changes nothing', async () => {
    const bad = await admin('POST', '/upstreams', {
      name: 'hashed',
      algorithm: 'consistent-hashing',
      targets: [{ target: live.address }],
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.json));
    assert.match(JSON.stringify(bad.json), /hash_on/);
    assert.equal((await admin('GET', '/upstreams/hashed')).status, 404);
    const badField = await admin('POST', '/upstreams', {
      name: 'x',
      targets: [{ target: live.address }],
      healthchecks: { active: { interval_ms: 5 } },
    });
    assert.equal(badField.status, 400);
    assert.match(JSON.stringify(badField.json), /interval_ms/);
  });

  it("takes the dead target out on the node's own checks, and says so everywhere", async () => {
    const created = await admin('POST', '/upstreams', {
      name: 'pool',
      targets: [{ target: live.address }, { target: dead }],
      healthchecks: {
        active: { path: '/health', interval_ms: 200, timeout_ms: 500, unhealthy_threshold: 2 },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((await admin('POST', '/services', { name: 'pool', url: 'http://pool' })).status, 201);
    assert.equal(
      (await admin('POST', '/routes', { name: 'pool', service: 'pool', paths: ['/pool'] })).status,
      201,
    );
    await until('the dead target is unhealthy', async () =>
      (await health()).targets.some((t) => t.target === dead && t.health === 'unhealthy'),
    );
    const view = await health();
    assert.equal(view.targets.find((t) => t.target === live.address)?.health, 'healthy');
    assert.ok(view.targets.find((t) => t.target === dead)?.last_check?.error !== undefined);
    const status = (await admin('GET', '/status')).json as {
      upstreams: { targets: number; unhealthy: Array<{ target: string; upstream: string }> };
    };
    assert.deepEqual(
      status.upstreams.unhealthy.map((u) => [u.upstream, u.target]),
      [['pool', dead]],
    );
    for (let i = 0; i < 6; i++) {
      const res = await request(`${proxyUrl}/pool/x`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-upstream'], 'live');
      await res.body.dump();
    }
    await until('the event reached the webhook', async () =>
      heard.some((h) => h['event'] === 'upstream.health'),
    );
    const hook = heard.find((h) => h['event'] === 'upstream.health') as {
      upstream: { target: string; health: string; previous: string };
    };
    assert.deepEqual(
      [hook.upstream.target, hook.upstream.health, hook.upstream.previous],
      [dead, 'unhealthy', 'healthy'],
    );
    const res = await request(`${adminUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const metrics = await res.body.text();
    const series = (target: string, state: string): boolean =>
      metrics
        .split('\n')
        .some(
          (l) =>
            l.startsWith('keyway_upstream_target_health{') &&
            l.includes(`target="${target}"`) &&
            l.includes(`state="${state}"`) &&
            l.endsWith(' 1'),
        );
    assert.ok(series(dead, 'unhealthy'), 'the dead target is unhealthy in /metrics');
    assert.ok(series(live.address, 'healthy'), 'the live one healthy');
    const history = (await admin('GET', '/alerts/history')).json as { data: Array<{ rule_name: string }> };
    assert.ok(
      history.data.some((e) => e.rule_name === 'targets'),
      JSON.stringify(history),
    );
  });

  it('a weight change through the admin API keeps what health saw', async () => {
    const patched = await admin('PATCH', '/upstreams/pool', {
      targets: [{ target: live.address, weight: 50 }, { target: dead }],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    const view = await health();
    assert.equal(view.targets.find((t) => t.target === live.address)?.weight, 50);
    assert.equal(view.targets.find((t) => t.target === dead)?.health, 'unhealthy');
  });
});
