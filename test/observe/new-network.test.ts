/**
 * "A key used from a new network" against a real webhook receiver and a real SQLite store.
 *
 * Through the data plane: a gateway behind a trusted proxy (client addresses from X-Forwarded-For), the
 * node's observability wiring (call records → batch writer → network alerts) and key-auth. The key's first
 * network is learned, another address in it says nothing, a new /24 fires once with a signed webhook
 * naming the credential id (never the key), consumer, app, network and how many networks came before;
 * IPv6 is cut at /48.
 *
 * Two nodes on one store (SQLite, and PostgreSQL in a schema of its own), records with their own clock: learning time, the look-back window, one webhook
 * when both nodes see the same new network, nothing again after a restart, consumer scope, and rules
 * with other prefix lengths keeping their own networks.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import type { ConfigState } from '../../src/model/index.js';
import { ActiveRules } from '../../src/observe/alerts/active-rules.js';
import { AlertRuleStore } from '../../src/observe/alerts/alert-rules.js';
import { NetworkAlerts } from '../../src/observe/alerts/network-alerts.js';
import { verify } from '../../src/observe/alerts/webhook.js';
import { startObservability, type Observability } from '../../src/observe/observability.js';
import { loadObserveSettings } from '../../src/observe/observe-settings.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';
import { record } from './support.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Delivery {
  path: string;
  body: string;
  timestamp: string;
  signature: string;
  json: { alert: string; kind: string; state: string; value: number; network: Record<string, unknown> };
}

function receiver(into: Delivery[]): Promise<TestServer> {
  return startServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      into.push({
        path: req.url ?? '',
        body,
        timestamp: String(req.headers['keyway-timestamp']),
        signature: String(req.headers['keyway-signature']),
        json: JSON.parse(body) as Delivery['json'],
      });
      res.writeHead(204).end();
    });
  });
}

describe('new network alerts through the data plane', () => {
  let dir: string;
  let store: Store;
  let observe: Observability;
  let echo: TestServer;
  let hook: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  const keys = new MemoryKeys();
  const received: Delivery[] = [];
  const logLines: string[] = [];
  let calls = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-new-network-'));
    store = await openStore({ dataDir: dir });
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    observe = startObservability({
      settings: loadObserveSettings({}),
      dataDir: dir,
      log,
      gauges: { configVersion: () => 1, storePing: () => Promise.resolve() },
    });
    echo = await startEcho();
    hook = await receiver(received);
    cfg = state({
      services: [{ name: 'svc', url: `http://${echo.address}` }],
      routes: [{ name: 'weather', service: 'svc', paths: ['/weather'] }],
      consumers: [{ username: 'acme' }],
      apps: [{ name: 'acme-app', consumer: 'acme' }],
      plugins: [{ name: 'key-auth', route: 'weather', config: {} }],
    });
    const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
    gw = await startGateway(cfg, {
      trusted: ['127.0.0.1'],
      services: { apiKeys: resolver },
      ...(observe.observer === undefined ? {} : { observer: observe.observer }),
    });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await observe.close();
    await hook.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Calls from `ip` (the trusted proxy's X-Forwarded-For), then waits until the node checked the record. */
  async function callFrom(ip: string, key: string): Promise<void> {
    const res = await request(`${gw.url}/weather`, { headers: { apikey: key, 'x-forwarded-for': ip } });
    await res.body.text();
    assert.equal(res.statusCode, 200);
    calls++;
    // The record is pushed when the response closes, a moment after the client read it.
    for (let i = 0; observe.stats().written < calls; i++) {
      assert.ok(i < 200, 'the call record was written');
      await observe.flush();
      if (observe.stats().written < calls) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await observe.networkAlerts.idle();
  }

  it('learns the first network, then tells a new /24 and a new /48 once each', async () => {
    const rule = await observe.rules.create({
      name: 'key-networks',
      kind: 'new_network',
      webhook_url: `http://${hook.address}/net`,
      network: { learning_hours: 0 },
    });
    const appId = cfg.workspaces[0]?.apps[0]?.id ?? '';
    const { key, rec } = keys.issue(appId);

    await callFrom('203.0.113.7', key);
    await callFrom('203.0.113.7', key);
    await callFrom('203.0.113.99', key);
    assert.equal(received.length, 0, 'the first network is learned, and .99 is in it');

    await callFrom('198.51.100.4', key);
    assert.equal(received.length, 1);
    const d = received[0];
    assert.ok(d !== undefined);
    assert.ok(verify(rule.secret, d.timestamp, d.body, d.signature), 'signed with the rule secret');
    assert.equal(d.json.kind, 'new_network');
    assert.equal(d.json.state, 'firing');
    assert.equal(d.json.value, 1);
    assert.deepEqual(d.json.network, {
      workspace: 'default',
      credential: rec.id,
      consumer: 'acme',
      app: 'acme-app',
      network: '198.51.100.0/24',
      client_ip: '198.51.100.4',
      previous_networks: 1,
      last_seen: null,
      lookback_days: 30,
    });

    await callFrom('198.51.100.200', key);
    await callFrom('2001:db8:1:2::1', key);
    await callFrom('2001:db8:1:ffff::5', key);
    assert.deepEqual(
      received.map((r) => [r.json.network['network'], r.json.value]),
      [
        ['198.51.100.0/24', 1],
        ['2001:db8:1::/48', 2],
      ],
    );

    const history = await observe.store.db
      .selectFrom('alert_events')
      .selectAll()
      .where('rule_name', '=', 'key-networks')
      .orderBy('at')
      .execute();
    assert.deepEqual(
      history.map((h) => [h.state, h.subject, Number(h.value), Number(h.delivery_status)]),
      [
        ['firing', `credential ${rec.id}, network 198.51.100.0/24`, 1, 204],
        ['firing', `credential ${rec.id}, network 2001:db8:1::/48`, 2, 204],
      ],
    );
    const logged = logLines.filter((l) => l.includes('credential used from a new network'));
    assert.equal(logged.length, 2);
    const everything = JSON.stringify({ received: received.map((r) => r.body), logLines, history });
    assert.ok(!everything.includes(key), 'the key is in no webhook, log line or history row');
  });
});

for (const dialect of ['sqlite', 'postgres'] as const)
  describe(`new network alerts across nodes and time on ${dialect}`, () => {
    let dir: string;
    let store: Store;
    let hook: TestServer;
    const received: Delivery[] = [];
    const dbs: ObserveDb[] = [];
    const actives: ActiveRules[] = [];
    let rules: AlertRuleStore;
    const t0 = Date.UTC(2026, 0, 10, 9);
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;

    // PostgreSQL in a schema of its own, dropped afterwards.
    const schema = `kw_netalerts_${process.pid}_${Date.now()}`;
    const where = () =>
      dialect === 'postgres' ? { dataDir: dir, databaseUrl: PG_URL, schema } : { dataDir: dir };

    /** One node: its own connection, cached rules and network alerts. */
    async function node(): Promise<NetworkAlerts> {
      const db = openObserveDb(where());
      dbs.push(db);
      const active = new ActiveRules(new AlertRuleStore(db), { refreshMs: 60_000 });
      actives.push(active);
      await active.start();
      return new NetworkAlerts(db, active, { log: { warn: () => undefined } });
    }
    const seen = async (
      n: NetworkAlerts,
      at: number,
      ip: string,
      over: Parameters<typeof record>[0] = {},
    ) => {
      n.add([record({ at, client_ip: ip, credential: 'key-1', ...over })]);
      await n.idle();
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'keyway-new-network-nodes-'));
      store = await openStore(where());
      const db = openObserveDb(where());
      dbs.push(db);
      rules = new AlertRuleStore(db);
      hook = await receiver(received);
    });
    after(async () => {
      for (const a of actives) a.stop();
      for (const db of dbs) await db.close();
      await hook.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
      if (dialect === 'postgres') {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
    });
    beforeEach(async () => {
      received.length = 0;
      for (const r of await rules.list()) await rules.delete(r.id);
      for (const t of ['alert_events', 'credential_networks', 'credential_seen'] as const)
        await dbs[0]?.db.deleteFrom(t).execute();
    });

    it('learns for a day, tells a new network once across nodes, and again only after the look-back', async () => {
      await rules.create({
        name: 'networks',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/all`,
      });
      await rules.create({
        name: 'globex-networks',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/globex`,
        scope: { consumer: 'globex' },
      });
      const [a, b] = [await node(), await node()];

      await seen(a, t0, '203.0.113.7');
      await seen(b, t0 + HOUR, '198.51.100.4');
      assert.equal(received.length, 0, 'both networks are learned: the key is less than a day old');

      // Day 2: both nodes see the same new network in the same moment.
      const r = record({ at: t0 + 2 * DAY, client_ip: '192.0.2.1', credential: 'key-1' });
      a.add([r]);
      b.add([{ ...r, request_id: 'other' }]);
      await Promise.all([a.idle(), b.idle()]);
      assert.deepEqual(
        received.map((d) => [d.path, d.json.network['network'], d.json.network['previous_networks']]),
        [['/all', '192.0.2.0/24', 2]],
        'one webhook, naming the two networks seen before',
      );

      await seen(a, t0 + 2 * DAY + 2 * HOUR, '203.0.113.9');
      assert.equal(received.length, 1, 'seen within the 30 days');

      // Day 40: 198.51.100.0/24 was last seen on day 0 — new again; none of the others is within 30 days.
      await seen(b, t0 + 40 * DAY, '198.51.100.77');
      assert.equal(received.length, 2);
      assert.equal(received[1]?.json.network['previous_networks'], 0);
      assert.equal(received[1]?.json.network['last_seen'], new Date(t0 + HOUR).toISOString());

      // A restarted node has no memory of its own, and the store says it was just seen.
      const c = await node();
      await seen(c, t0 + 40 * DAY + 5 * HOUR, '198.51.100.77');
      assert.equal(received.length, 2);

      // The consumer-scoped rule hears only of its consumer's keys.
      await seen(c, t0, '203.0.113.1', { credential: 'key-9', consumer: 'globex' });
      await seen(c, t0 + 3 * DAY, '100.64.0.1', { credential: 'key-9', consumer: 'globex' });
      assert.deepEqual(
        received
          .slice(2)
          .map((d) => d.path)
          .sort(),
        ['/all', '/globex'],
      );
    });

    it('keeps networks per prefix setting, and ignores denied calls and calls without a credential', async () => {
      await rules.create({
        name: 'sixteen',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/16`,
        network: { ipv4_prefix: 16, learning_hours: 0 },
      });
      await rules.create({
        name: 'twenty-four',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/24`,
        network: { learning_hours: 0 },
      });
      const n = await node();
      await seen(n, t0, '10.1.1.1');
      await seen(n, t0 + HOUR, '10.1.2.1'); // same /16, new /24
      await seen(n, t0 + 2 * HOUR, '10.9.9.9', { auth: 'denied' });
      await seen(n, t0 + 3 * HOUR, '10.8.8.8', { credential: null });
      await seen(n, t0 + 4 * HOUR, 'not-an-address');
      assert.deepEqual(
        received.map((d) => [d.path, d.json.network['network']]),
        [['/24', '10.1.2.0/24']],
      );
      const rows = await dbs[0]?.db
        .selectFrom('credential_networks')
        .select(['prefixes', 'network'])
        .execute();
      assert.deepEqual(rows?.map((r) => `${r.prefixes} ${r.network}`).sort(), [
        '16/48 10.1.0.0/16',
        '24/48 10.1.1.0/24',
        '24/48 10.1.2.0/24',
      ]);
    });

    it('a rule cutting networks differently, added later, learns before it tells', async () => {
      await rules.create({
        name: 'twenty-four',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/24`,
        network: { learning_hours: 0 },
      });
      const n = await node();
      await seen(n, t0, '10.1.1.1');
      await seen(n, t0 + DAY, '10.1.1.2');
      await rules.create({
        name: 'twenty',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/20`,
        network: { ipv4_prefix: 20, learning_hours: 0 },
      });
      await actives.at(-1)?.refresh(); // this node's rules, as its timer would reload them
      await seen(n, t0 + 2 * DAY, '10.1.1.3');
      assert.equal(received.length, 0, "the key's usual network is the new rule's first, not a new one");
      await seen(n, t0 + 3 * DAY, '10.1.17.1');
      assert.deepEqual(received.map((d) => [d.path, d.json.network['network']]).sort(), [
        ['/20', '10.1.16.0/20'],
        ['/24', '10.1.17.0/24'],
      ]);
    });

    it('skips pairs beyond a full queue, says so, and checks them when next seen', async () => {
      await rules.create({
        name: 'networks',
        kind: 'new_network',
        webhook_url: `http://${hook.address}/all`,
        network: { learning_hours: 0 },
      });
      const db = openObserveDb(where());
      dbs.push(db);
      const active = new ActiveRules(new AlertRuleStore(db), { refreshMs: 60_000 });
      actives.push(active);
      await active.start();
      const warned: string[] = [];
      const n = new NetworkAlerts(db, active, {
        log: { warn: (_o, msg) => warned.push(msg) },
        maxPending: 2,
      });
      await seen(n, t0, '203.0.113.1');
      n.add(
        ['198.51.100.1', '192.0.2.1', '100.64.0.1'].map((ip, i) =>
          record({ at: t0 + DAY + i, client_ip: ip }),
        ),
      );
      await n.idle();
      assert.equal(n.skipped, 1);
      assert.deepEqual(warned.filter((w) => w.includes('skipped')).length, 1);
      assert.equal(received.length, 2);
      await seen(n, t0 + DAY + 10, '100.64.0.1');
      assert.deepEqual(received.map((d) => d.json.network['network']).sort(), [
        '100.64.0.0/24',
        '192.0.2.0/24',
        '198.51.100.0/24',
      ]);
    });
  });
