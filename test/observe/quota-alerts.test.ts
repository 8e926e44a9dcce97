/**
 * Quota alerts through the real data plane: key-auth and the quota plugin in front of a real echo server,
 * local counters, the alert rules in a real SQLite store and a real webhook receiver. A day quota of 10
 * calls tells `quota` rules once at 80 % (the 8th call) and once at 100 % (the 10th), signed, in the
 * history, logged; rules filter by threshold, consumer and route; a rolling quota and a node without
 * quota rules report nothing. Rule validation answers KW_ERR_VALIDATION naming the field.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { request } from 'undici';
import { KeywayError } from '../../src/core/errors.js';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import type { ConfigState } from '../../src/model/index.js';
import { ActiveRules } from '../../src/observe/alerts/active-rules.js';
import { AlertRuleStore, type NewRule } from '../../src/observe/alerts/alert-rules.js';
import { QuotaAlerts } from '../../src/observe/alerts/quota-alerts.js';
import type { QuotaCrossing } from '../../src/pipeline/services.js';
import { verify } from '../../src/observe/alerts/webhook.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';

interface Delivery {
  path: string;
  body: string;
  json: { alert: string; kind: string; state: string; value: number; quota: Record<string, unknown> };
  timestamp: string;
  signature: string;
}

describe('quota alerts', () => {
  let dir: string;
  let store: Store;
  let db: ObserveDb;
  let rules: AlertRuleStore;
  let active: ActiveRules;
  let alerts: QuotaAlerts;
  let hook: TestServer;
  let echo: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  const keys = new MemoryKeys();
  // The node's clock, pinned: the day these quotas count in is the same however long the run takes.
  const now = () => Date.UTC(2026, 10, 28, 12);
  const local = new LocalCounterStore({ sweepMs: 0, now });
  const received: Delivery[] = [];
  const logged: Array<{ obj: object; msg: string }> = [];
  const told: QuotaCrossing[] = [];
  const issued: string[] = [];

  const issue = (app: string): string => {
    const appId = cfg.workspaces[0]?.apps.find((a) => a.name === app)?.id ?? '';
    const { key } = keys.issue(appId);
    issued.push(key);
    return key;
  };
  const call = async (path: string, key: string): Promise<number> => {
    const res = await request(`${gw.url}${path}`, { headers: { apikey: key } });
    await res.body.text();
    return res.statusCode;
  };
  const rule = (r: Omit<NewRule, 'webhook_url'>) =>
    rules.create({ ...r, webhook_url: `http://${hook.address}/${r.name}` });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-quota-alerts-'));
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
    rules = new AlertRuleStore(db);
    active = new ActiveRules(rules, { refreshMs: 60_000 });
    await active.start();
    alerts = new QuotaAlerts(db, active, { log: { warn: (obj, msg) => logged.push({ obj, msg }) } });
    hook = await startServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          body,
          json: JSON.parse(body) as Delivery['json'],
          timestamp: String(req.headers['keyway-timestamp']),
          signature: String(req.headers['keyway-signature']),
        });
        res.writeHead(204).end();
      });
    });
    echo = await startEcho();
    cfg = state({
      services: [{ name: 'svc', url: `http://${echo.address}` }],
      routes: ['daily', 'rolling', 'planned'].map((n) => ({ name: n, service: 'svc', paths: [`/${n}`] })),
      plans: [{ name: 'free', quotas: [{ limit: 5, period: 'month', by: ['key'] }] }],
      consumers: [{ username: 'acme' }, { username: 'globex', plan: 'free' }],
      apps: [
        { name: 'acme-app', consumer: 'acme' },
        { name: 'globex-app', consumer: 'globex' },
      ],
      plugins: [
        ...['daily', 'rolling', 'planned'].map((route) => ({ name: 'key-auth', route, config: {} })),
        {
          name: 'quota',
          route: 'daily',
          config: { quotas: [{ limit: 10, period: 'day', by: ['consumer'] }] },
        },
        {
          name: 'quota',
          route: 'rolling',
          config: { quotas: [{ limit: 5, period: 'rolling', window: '1d' }] },
        },
        { name: 'quota', route: 'planned', config: {} },
      ],
    });
    const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
    gw = await startGateway(cfg, {
      services: {
        apiKeys: resolver,
        counters: local,
        localCounters: local,
        now,
        // The real sink, watched: every crossing the plugin reports is kept.
        quotaAlerts: {
          get levels() {
            return alerts.levels;
          },
          quotaCrossed: (e) => {
            told.push(e);
            alerts.quotaCrossed(e);
          },
        },
      },
    });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await hook.close();
    active.stop();
    await local.close();
    await db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    received.length = 0;
    logged.length = 0;
    told.length = 0;
    await db.db.deleteFrom('alert_events').execute();
    for (const r of await rules.list()) await rules.delete(r.id);
  });

  it('validates quota and new_network rules, naming the field', async () => {
    const refused = async (r: Omit<NewRule, 'webhook_url'>, path: string, message: RegExp) => {
      await assert.rejects(rule(r), (err: unknown) => {
        assert.ok(err instanceof KeywayError);
        assert.equal(err.code, 'KW_ERR_VALIDATION');
        assert.equal(err.details?.[0]?.path, path);
        assert.match(err.message, message);
        return true;
      });
    };
    await refused({ name: 'a', kind: 'quota', threshold: 120 }, '/threshold', /at most 100/);
    await refused({ name: 'b', kind: 'quota', threshold: 0 }, '/threshold', /above 0/);
    await refused(
      { name: 'c', kind: 'quota', scope: { service: 'svc' } },
      '/scope/service',
      /consumer and a route/,
    );
    await refused({ name: 'd', kind: 'new_network', threshold: 3 }, '/threshold', /no threshold/);
    await refused({ name: 'e', kind: 'new_network', scope: { route: 'x' } }, '/scope/route', /consumer/);
    await refused(
      { name: 'f', kind: 'quota', network: { lookback_days: 3 } },
      '/network',
      /only a new_network/,
    );
    await refused({ name: 'g', kind: 'error_rate' }, '/threshold', /needs a threshold/);
    await refused({ name: 's1', kind: 'subscription', threshold: 1 }, '/threshold', /no threshold/);
    await refused(
      { name: 's2', kind: 'subscription', scope: { consumer: 'acme' } },
      '/scope/consumer',
      /scoped to a service/,
    );
    await refused(
      { name: 'h', kind: 'ai_budget', scope: { route: 'x' } },
      '/scope/route',
      /an ai_budget rule/,
    );

    const q = await rule({ name: 'quota-default', kind: 'quota' });
    assert.equal(q.threshold, 80, 'a quota rule is told at 80 % unless it says otherwise');
    const n = await rule({ name: 'networks', kind: 'new_network', network: { ipv4_prefix: 16 } });
    assert.deepEqual(n.network, { ipv4_prefix: 16, ipv6_prefix: 48, lookback_days: 30, learning_hours: 24 });
    const listed = await rules.list();
    assert.deepEqual(
      listed.map((r) => [r.name, r.network?.ipv4_prefix]),
      [
        ['networks', 16],
        ['quota-default', undefined],
      ],
    );
    assert.ok(!JSON.stringify(listed).includes(q.secret), 'lists never show the secret');
  });

  it('tells each rule once at its threshold and once at 100 %, signed, recorded and logged', async () => {
    const all = await rule({ name: 'quota-80', kind: 'quota' });
    await rule({ name: 'acme-used-up', kind: 'quota', threshold: 100, scope: { consumer: 'acme' } });
    await rule({ name: 'globex-only', kind: 'quota', scope: { consumer: 'globex' } });
    await rule({ name: 'other-route', kind: 'quota', scope: { route: 'planned' } });
    await rule({ name: 'at-90', kind: 'quota', threshold: 90, scope: { route: 'daily' } });
    assert.deepEqual(alerts.levels, [80, 90, 100]);

    const a = issue('acme-app');
    const b = issue('acme-app'); // the quota is per consumer: both keys count against it
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await call('/daily', i % 2 === 0 ? a : b));
    assert.deepEqual(statuses, [...Array<number>(10).fill(200), 429, 429]);
    await alerts.idle();

    assert.deepEqual(
      told.map((e) => [e.percent, e.used]),
      [
        [80, 8],
        [90, 9],
        [100, 10],
      ],
      'the 8th, 9th and 10th calls crossed; the refused ones took nothing',
    );
    assert.deepEqual(
      received.map((d) => [d.path, d.json.value]).sort(),
      [
        ['/acme-used-up', 100],
        ['/at-90', 100],
        ['/at-90', 90],
        ['/quota-80', 100],
        ['/quota-80', 80],
      ].sort(),
    );
    const first = received.find((d) => d.path === '/quota-80' && d.json.value === 80);
    assert.ok(first !== undefined);
    assert.ok(
      verify(all.secret, first.timestamp, first.body, first.signature),
      'signed with the rule secret',
    );
    assert.equal(first.json.kind, 'quota');
    assert.equal(first.json.state, 'firing');
    const today = '2026-11-28';
    assert.deepEqual(first.json.quota, {
      workspace: 'default',
      name: '10-per-day',
      source: 'route',
      counted_per: 'consumer',
      subject: 'consumer acme',
      consumer: 'acme',
      route: 'daily',
      period: today,
      level: 'threshold',
      percent: 80,
      used: 8,
      limit: 10,
      resets_at: '2026-11-29T00:00:00.000Z',
    });
    const full = received.find((d) => d.path === '/quota-80' && d.json.value === 100);
    assert.equal(full?.json.quota['level'], 'exhausted');

    const history = await db.db.selectFrom('alert_events').selectAll().orderBy('rule_name').execute();
    assert.deepEqual(
      history.map((h) => [h.rule_name, Number(h.value), Number(h.delivery_status)]),
      [
        ['acme-used-up', 100, 204],
        ['at-90', 90, 204],
        ['at-90', 100, 204],
        ['quota-80', 80, 204],
        ['quota-80', 100, 204],
      ],
    );
    assert.equal(history[3]?.subject, `consumer acme, quota 10-per-day, period ${today}, 80%`);
    assert.deepEqual(
      logged.map((l) => l.msg),
      ['quota threshold reached', 'quota threshold reached', 'quota used up'],
    );
    const everything = JSON.stringify({ received: received.map((d) => d.body), logged, history });
    for (const key of issued) assert.ok(!everything.includes(key), 'no API key in webhooks, logs or history');
    assert.ok(!everything.includes(told[0]?.counter ?? '?'), 'the counter key stays inside');

    // A second node that saw the same crossing (counting locally while Redis was away) sends nothing more.
    const again = new QuotaAlerts(db, active, { log: { warn: () => undefined } });
    for (const e of told) again.quotaCrossed(e);
    await again.idle();
    assert.equal(received.length, 5);
  });

  it("reports a plan's quota under the plan, per key, for rules not scoped to another route", async () => {
    await rule({ name: 'all-quotas', kind: 'quota', threshold: 60 });
    await rule({ name: 'daily-route', kind: 'quota', threshold: 60, scope: { route: 'daily' } });
    const key = issue('globex-app');
    for (let i = 0; i < 6; i++) await call('/planned', key);
    await alerts.idle();
    assert.deepEqual(
      told.map((e) => [e.percent, e.source, e.route, e.counted_per, e.period.length]),
      [
        [60, 'plan:free', null, 'key', 7],
        [100, 'plan:free', null, 'key', 7],
      ],
    );
    assert.match(told[0]?.subject ?? '', /^key key-\d+$/);
    assert.deepEqual(
      received.map((d) => [d.path, d.json.value]),
      [
        ['/all-quotas', 60],
        ['/all-quotas', 100],
      ],
    );
  });

  it('reports nothing for a rolling quota, nor without quota rules', async () => {
    await rule({ name: 'all-quotas', kind: 'quota' });
    const key = issue('acme-app');
    for (let i = 0; i < 6; i++) await call('/rolling', key);
    assert.equal(told.length, 0, 'a rolling quota has no period to fire once in');

    for (const r of await rules.list()) await rules.delete(r.id);
    assert.deepEqual(alerts.levels, [], 'deleting the last quota rule stops the reports at once');
    const other = issue('globex-app');
    for (let i = 0; i < 6; i++) await call('/planned', other);
    assert.equal(told.length, 0);
    await alerts.idle();
    assert.equal(received.length, 0);
  });
});
