/**
 * Two gateways count one consumer's day quota in the real Redis on 127.0.0.1:6379 (keys under a prefix
 * unique to this run, deleted at the end), each with its own quota alerts over one shared SQLite store —
 * two nodes. Calls race on both at once; of all the atomic consumes, exactly one sees 80 % and one sees
 * 100 %, so the rule's webhook is called twice in all, not twice per node.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { RedisCounterStore } from '../../src/limits/redis-store.js';
import type { ConfigState } from '../../src/model/index.js';
import { ActiveRules } from '../../src/observe/alerts/active-rules.js';
import { AlertRuleStore } from '../../src/observe/alerts/alert-rules.js';
import { QuotaAlerts } from '../../src/observe/alerts/quota-alerts.js';
import type { QuotaCrossing } from '../../src/pipeline/services.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';

const REDIS = 'redis://127.0.0.1:6379';
const prefix = `kw-test:${randomUUID()}:`;
const LIMIT = 40;

interface Node {
  gw: TestGateway;
  db: ObserveDb;
  active: ActiveRules;
  alerts: QuotaAlerts;
  counters: RedisCounterStore;
  local: LocalCounterStore;
}

describe('quota alerts with two gateways sharing Redis', () => {
  let dir: string;
  let store: Store;
  let echo: TestServer;
  let hook: TestServer;
  const nodes: Node[] = [];
  const told: QuotaCrossing[] = [];
  const received: Array<{ value: number; body: string }> = [];
  const admin = new Redis(REDIS);
  const keys = new MemoryKeys();
  let cfg: ConfigState;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-quota-redis-'));
    store = await openStore({ dataDir: dir });
    echo = await startEcho();
    hook = await startServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ value: (JSON.parse(body) as { value: number }).value, body });
        res.writeHead(204).end();
      });
    });
    cfg = state({
      services: [{ name: 'svc', url: `http://${echo.address}` }],
      routes: [{ name: 'daily', service: 'svc', paths: ['/daily'] }],
      consumers: [{ username: 'team' }],
      apps: [{ name: 'team-app', consumer: 'team' }],
      plugins: [
        { name: 'key-auth', route: 'daily', config: {} },
        {
          name: 'quota',
          route: 'daily',
          config: { quotas: [{ limit: LIMIT, period: 'day', time_zone: 'Europe/Paris', by: ['consumer'] }] },
        },
      ],
    });
    // The rule is in the store before the nodes start: both load it, as every node of a store does.
    const first = openObserveDb({ dataDir: dir });
    await new AlertRuleStore(first).create({
      name: 'team-quota',
      kind: 'quota',
      webhook_url: `http://${hook.address}/q`,
    });
    await first.close();
    for (let i = 0; i < 2; i++) {
      const db = openObserveDb({ dataDir: dir });
      const active = new ActiveRules(new AlertRuleStore(db), { refreshMs: 60_000 });
      await active.start();
      const alerts = new QuotaAlerts(db, active, { log: { warn: () => undefined } });
      const counters = new RedisCounterStore({ url: REDIS, prefix });
      await counters.ready();
      const local = new LocalCounterStore({ sweepMs: 0 });
      const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
      const gw = await startGateway(cfg, {
        services: {
          apiKeys: resolver,
          counters,
          localCounters: local,
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
      nodes.push({ gw, db, active, alerts, counters, local });
    }
  });
  after(async () => {
    for (const n of nodes) {
      await n.gw.close();
      n.active.stop();
      await n.counters.close();
      await n.local.close();
      await n.db.close();
    }
    await echo.close();
    await hook.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
  });

  it('crosses 80 % once and 100 % once across both gateways', async () => {
    const appId = cfg.workspaces[0]?.apps[0]?.id ?? '';
    assert.deepEqual(
      nodes.map((n) => n.alerts.levels),
      [
        [80, 100],
        [80, 100],
      ],
    );
    /** Four clients per gateway, each with its own key of the team, calling until refused. */
    const spend = async (gw: TestGateway): Promise<number> => {
      const key = keys.issue(appId).key;
      let ok = 0;
      for (;;) {
        const res = await request(`${gw.url}/daily`, { headers: { apikey: key } });
        await res.body.text();
        if (res.statusCode !== 200) {
          assert.equal(res.statusCode, 429);
          return ok;
        }
        ok++;
      }
    };
    const counts = await Promise.all(nodes.flatMap((n) => [1, 2, 3, 4].map(() => spend(n.gw))));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      LIMIT,
      'the quota is one count for both gateways',
    );
    await Promise.all(nodes.map((n) => n.alerts.idle()));
    assert.deepEqual(
      told.map((e) => [e.percent, e.used]).sort(),
      [
        [100, LIMIT],
        [80, LIMIT * 0.8],
      ],
      'one consume of all saw each crossing',
    );
    assert.deepEqual(received.map((r) => r.value).sort(), [100, 80]);
    const history = await nodes[0]?.db.db.selectFrom('alert_events').select(['rule_name', 'value']).execute();
    assert.deepEqual(history?.map((h) => [h.rule_name, Number(h.value)]).sort(), [
      ['team-quota', 100],
      ['team-quota', 80],
    ]);
  });
});
