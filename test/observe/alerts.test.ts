/**
 * Alerts against a real HTTP receiver with a controllable clock: "errors above 5% for 2 minutes" fires a
 * signed webhook once, stays quiet while it holds, resolves when it passes, and both land in the history.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlertEngine, alertHistory } from '../../src/observe/alerts/alert-engine.js';
import { AlertRuleStore } from '../../src/observe/alerts/alert-rules.js';
import { AuthFailureWindow } from '../../src/observe/alerts/auth-failure-window.js';
import { verify } from '../../src/observe/alerts/webhook.js';
import { RollupAggregator } from '../../src/observe/rollups.js';
import { StoreLease } from '../../src/observe/store/lease.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { record } from './support.js';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('alerts', () => {
  let dir: string;
  let store: Store;
  let db: ObserveDb;
  let receiver: TestServer;
  const deliveries: Delivery[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-alerts-'));
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
    receiver = await startServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
  });
  after(async () => {
    await receiver.close();
    await db.close();
    await store.close();
  });

  it('fires and resolves an error-rate webhook with a valid HMAC signature', async () => {
    const rules = new AlertRuleStore(db);
    const rule = await rules.create({
      name: 'weather-errors',
      kind: 'error_rate',
      threshold: 5,
      window_minutes: 2,
      min_requests: 10,
      scope: { route: 'weather' },
      webhook_url: `http://${receiver.address}/hook`,
    });
    // 03:10 and 03:11: 100 calls a minute, 10% 5xx. 03:12 onwards: all fine.
    const t0 = Date.UTC(2024, 4, 1, 3, 10);
    const rollups = new RollupAggregator();
    for (const minute of [0, 1]) {
      rollups.add(
        Array.from({ length: 100 }, (_, i) =>
          record({ at: t0 + minute * 60_000 + i * 10, status: i < 10 ? 502 : 200 }),
        ),
      );
    }
    for (const minute of [2, 3, 4, 5])
      rollups.add(Array.from({ length: 100 }, (_, i) => record({ at: t0 + minute * 60_000 + i * 10 })));
    await rollups.flush(db);

    let now = t0 + 2 * 60_000 + 5_000; // 03:12:05 — the window is 03:10..03:12
    const engine = new AlertEngine(db, rules, new AuthFailureWindow(), { now: () => now });
    await engine.evaluate();
    assert.equal(deliveries.length, 1);
    const fired = deliveries[0];
    const payload = JSON.parse(fired.body) as { state: string; value: number; alert: string };
    assert.equal(payload.state, 'firing');
    assert.equal(payload.alert, 'weather-errors');
    assert.equal(payload.value, 10);
    assert.ok(
      verify(
        rule.secret,
        String(fired.headers['keyway-timestamp']),
        fired.body,
        String(fired.headers['keyway-signature']),
      ),
      'the signature verifies with the rule secret',
    );
    assert.ok(
      !verify(
        'another-secret-value',
        String(fired.headers['keyway-timestamp']),
        fired.body,
        String(fired.headers['keyway-signature']),
      ),
    );

    now += 30_000; // still inside the bad window: no second webhook
    await engine.evaluate();
    assert.equal(deliveries.length, 1);

    now = t0 + 5 * 60_000 + 5_000; // 03:15:05 — window 03:13..03:15 is clean
    await engine.evaluate();
    assert.equal(deliveries.length, 2);
    assert.equal((JSON.parse(deliveries[1].body) as { state: string }).state, 'resolved');

    const history = await alertHistory(db, { limit: 10 });
    assert.deepEqual(
      history.map((h) => [h.state, h.delivery_status]),
      [
        ['resolved', 204],
        ['firing', 204],
      ],
    );
    // A restarted engine reads the state back and does not fire again.
    const again = new AlertEngine(db, rules, new AuthFailureWindow(), { now: () => now });
    await again.evaluate();
    assert.equal(deliveries.length, 2);
  });

  it('with two nodes on one store, one lease holder sends each webhook once, and the other takes over', async () => {
    const rules = new AlertRuleStore(db);
    await rules.create({
      name: 'orders-errors',
      kind: 'error_rate',
      threshold: 5,
      window_minutes: 2,
      min_requests: 10,
      scope: { route: 'orders' },
      webhook_url: `http://${receiver.address}/hook`,
    });
    const t0 = Date.UTC(2024, 5, 1, 4, 10);
    const rollups = new RollupAggregator();
    for (const minute of [0, 1, 2, 3])
      rollups.add(
        Array.from({ length: 100 }, (_, i) =>
          record({ at: t0 + minute * 60_000 + i * 10, route: 'orders', status: i < 20 ? 503 : 200 }),
        ),
      );
    await rollups.flush(db);
    const before = deliveries.length;
    let now = t0 + 2 * 60_000 + 5_000;
    const ttl = 30_000;
    const nodeA = new AlertEngine(db, rules, new AuthFailureWindow(), {
      now: () => now,
      lease: new StoreLease(db, 'alerts-test', ttl),
    });
    const nodeB = new AlertEngine(db, rules, new AuthFailureWindow(), {
      now: () => now,
      lease: new StoreLease(db, 'alerts-test', ttl),
    });
    await nodeA.evaluate();
    await nodeB.evaluate();
    const fired = deliveries.slice(before).filter((d) => d.body.includes('orders-errors'));
    assert.equal(fired.length, 1, 'two nodes, one webhook');

    // Node A goes quiet; once its lease has run out, B holds it, and B knows the alert already fired.
    now += ttl + 1_000;
    await nodeB.evaluate();
    assert.equal(deliveries.slice(before).filter((d) => d.body.includes('orders-errors')).length, 1);
    now += 10_000;
    await nodeA.evaluate(); // A's lease was taken over: it stays silent
    assert.equal(deliveries.slice(before).filter((d) => d.body.includes('orders-errors')).length, 1);
  });
});
