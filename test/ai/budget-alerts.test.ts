/**
 * Budget alerts in the alerts subsystem (src/observe/alerts/budget-alerts.ts) over a real SQLite store and
 * a real webhook receiver: one history row and one webhook per crossing and rule even when several nodes
 * report the same crossing (nodes counting locally while Redis was away), rules filtered by threshold and
 * consumer, a history row even without any rule, and the timer-driven alert engine leaving them alone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { KeywayError } from '../../src/core/errors.js';
import { AlertEngine } from '../../src/observe/alerts/alert-engine.js';
import { AlertRuleStore } from '../../src/observe/alerts/alert-rules.js';
import { AuthFailureWindow } from '../../src/observe/alerts/auth-failure-window.js';
import { BudgetAlerts } from '../../src/observe/alerts/budget-alerts.js';
import type { BudgetCrossing } from '../../src/pipeline/services.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startServer, type TestServer } from '../helpers/upstream.js';

function crossing(over: Partial<BudgetCrossing> = {}): BudgetCrossing {
  return {
    workspace: 'default',
    budget: 'month-UTC',
    source: 'plan:team',
    counted_per: 'consumer',
    subject: 'consumer team-a',
    consumer: 'team-a',
    counter: 'default:ai:plan:b:month-UTC:c:00000000-0000-4000-8000-000000000001',
    period: '2026-11',
    level: 'threshold',
    percent: 80,
    spent_usd: 80.25,
    limit_usd: 100,
    resets_at: '2026-12-01T00:00:00.000Z',
    at: Date.UTC(2026, 10, 20, 12),
    ...over,
  };
}

describe('AI budget alerts', () => {
  let dir: string;
  let store: Store;
  let db: ObserveDb;
  let rules: AlertRuleStore;
  let hook: TestServer;
  const received: Array<{ path: string; body: Record<string, unknown> }> = [];
  const logged: string[] = [];
  const node = () => new BudgetAlerts(db, rules, { log: { warn: (_o, msg) => logged.push(msg) } });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyway-budget-alerts-'));
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
    rules = new AlertRuleStore(db);
    hook = await startServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(raw) as Record<string, unknown> });
        res.end();
      });
    });
  });
  after(async () => {
    await hook.close();
    await db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    received.length = 0;
    logged.length = 0;
    await db.db.deleteFrom('alert_events').execute();
    for (const r of await rules.list()) await rules.delete(r.id);
  });

  const history = () => db.db.selectFrom('alert_events').selectAll().orderBy('rule_name').execute();

  it('records a crossing in the history even without a rule, and logs it', async () => {
    const a = node();
    a.budgetCrossed(crossing());
    await a.idle();
    const rows = await history();
    assert.deepEqual(
      rows.map((r) => [r.rule_id, r.rule_name, r.state, Number(r.value), r.subject]),
      [
        [
          '',
          'ai_budget:month-UTC',
          'firing',
          80,
          'consumer team-a, budget month-UTC, period 2026-11, threshold',
        ],
      ],
    );
    assert.deepEqual(logged, ['AI spend budget threshold reached']);
  });

  it('one row and one webhook per crossing and rule, however many nodes report it', async () => {
    const url = `http://${hook.address}`;
    await rules.create({ name: 'all-budgets', kind: 'ai_budget', threshold: 0, webhook_url: `${url}/all` });
    await rules.create({
      name: 'exhausted-only',
      kind: 'ai_budget',
      threshold: 100,
      webhook_url: `${url}/full`,
    });
    await rules.create({
      name: 'globex-only',
      kind: 'ai_budget',
      threshold: 0,
      webhook_url: `${url}/globex`,
      scope: { consumer: 'globex' },
    });
    const nodes = [node(), node(), node()];
    for (const n of nodes) n.budgetCrossed(crossing());
    for (const n of nodes) n.budgetCrossed(crossing({ level: 'exhausted', percent: 100, spent_usd: 100.5 }));
    await Promise.all(nodes.map((n) => n.idle()));
    assert.deepEqual(received.map((r) => [r.path, (r.body['budget'] as { level: string }).level]).sort(), [
      ['/all', 'exhausted'],
      ['/all', 'threshold'],
      ['/full', 'exhausted'],
    ]);
    const full = received.find((r) => r.path === '/full')?.body;
    assert.equal(full?.['kind'], 'ai_budget');
    assert.equal(full?.['state'], 'firing');
    assert.equal(full?.['value'], 100);
    assert.equal((full?.['budget'] as { spent_usd: number }).spent_usd, 100.5);
    assert.equal(JSON.stringify(full).includes('c:00000000'), false, 'the counter key stays internal');
    const rows = await history();
    assert.deepEqual(rows.map((r) => [r.rule_name, Number(r.value), Number(r.delivery_status)]).sort(), [
      ['all-budgets', 100, 200],
      ['all-budgets', 80, 200],
      ['exhausted-only', 100, 200],
    ]);
    // Next period, same subject: a new crossing.
    nodes[0]?.budgetCrossed(crossing({ period: '2026-12' }));
    await nodes[0]?.idle();
    assert.equal((await history()).length, 4);
  });

  it('ai_budget rules are scoped to a consumer only, and the timer-driven engine leaves them alone', async () => {
    await assert.rejects(
      rules.create({
        name: 'bad',
        kind: 'ai_budget',
        threshold: 80,
        webhook_url: 'http://127.0.0.1:9/',
        scope: { route: 'ai' },
      }),
      (err: unknown) => err instanceof KeywayError && err.details?.[0]?.path === '/scope/route',
    );
    await rules.create({
      name: 'budgets',
      kind: 'ai_budget',
      threshold: 80,
      webhook_url: `http://${hook.address}/x`,
    });
    const a = node();
    a.budgetCrossed(crossing());
    await a.idle();
    const engine = new AlertEngine(db, rules, new AuthFailureWindow());
    await engine.evaluate();
    await engine.evaluate();
    const rows = await history();
    assert.deepEqual(
      rows.map((r) => r.state),
      ['firing'],
      'no "resolved" for a budget: there is nothing to measure on a timer',
    );
  });
});
