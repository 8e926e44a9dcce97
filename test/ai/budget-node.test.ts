/**
 * Scenario 6's budget and cost part against a real `keyway start`: config applied from YAML with the CLI
 * (plans with `ai` budgets), teams calling with their Keyway keys, the 80 % alert reaching a webhook
 * through an `ai_budget` rule created with the admin API, the hard stop, the spend in `GET /usage` and
 * `keyway usage`, and — after a restart has written the rollups — the cost per team and model from
 * `GET /analytics/summary`.
 *
 * Every call costs $0.10: the fake provider reports 10 prompt tokens, priced at $10,000 per million.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { completion } from './openai-fixtures.js';

const SECRET = 'budget-node-server-secret-0123456789';

function yaml(fakeUrl: string): string {
  return `_format_version: "1"
services:
  - name: ai
    url: ai://gateway
    routes:
      - { name: ai, paths: [/ai], strip_path: true }
    plugins:
      - name: key-auth
      - name: ai-proxy
        config: { models: [fast, smart] }
ai_providers:
  - name: oa
    type: openai
    base_url: ${fakeUrl}/v1
    keys: [{ id: main, secret: sk-node-budget-0001 }]
    prices:
      - { model: gpt-4o-mini, input: 10000, output: 0 }
      - { model: gpt-4o, input: 10000, output: 0 }
ai_models:
  - { name: fast, targets: [{ provider: oa, model: gpt-4o-mini }] }
  - { name: smart, targets: [{ provider: oa, model: gpt-4o }] }
plans:
  - name: team
    ai:
      by: [consumer]
      budgets: [{ usd: 1, period: month, alert_at: 80 }]
consumers:
  - username: team-a
    plan: team
    apps: [{ name: a-app }]
  - username: team-b
    plan: team
    apps: [{ name: b-app }]
`;
}

describe('AI budgets and cost on a real node', () => {
  let fake: FakeLlm;
  let hook: TestServer;
  let kw: KeywayProcess;
  let env: Record<string, string>;
  const keys: Record<string, string> = {};
  const hooks: Array<Record<string, unknown>> = [];
  let hooked: () => void = () => undefined;

  async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await request(`${kw.adminUrl}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${kw.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    assert.ok(res.statusCode < 300, `${method} ${path}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as T;
  }

  async function chat(
    team: string,
    model: string,
  ): Promise<{ status: number; code?: string; retry?: string }> {
    const res = await request(`${kw.proxyUrl}/ai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[team] ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = JSON.parse(await res.body.text()) as { error?: { code: string } };
    const retry = res.headers['retry-after'];
    return {
      status: res.statusCode,
      ...(body.error === undefined ? {} : { code: body.error.code }),
      ...(typeof retry === 'string' ? { retry } : {}),
    };
  }

  before(async () => {
    fake = await startFakeLlm(() => ({
      json: completion('ok', { usage: { prompt_tokens: 10, completion_tokens: 4 } }),
    }));
    hook = await startServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(raw) as Record<string, unknown>);
        res.end();
        hooked();
      });
    });
    kw = await startKeyway({ env: { KEYWAY_SECRET: SECRET } });
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    const file = join(mkdtempSync(join(tmpdir(), 'keyway-budget-node-')), 'ai.yaml');
    writeFileSync(file, yaml(fake.url));
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    for (const [team, app] of [
      ['team-a', 'a-app'],
      ['team-b', 'b-app'],
    ] as const)
      keys[team] = (await admin<{ key: string }>('POST', `/apps/${app}/keys`, {})).key;
    await admin('POST', '/alerts/rules', {
      name: 'team-budgets',
      kind: 'ai_budget',
      threshold: 80,
      webhook_url: `http://${hook.address}/budgets`,
    });
    // The node applies configuration on its next poll: wait until a call goes through.
    for (let i = 0; i < 100 && (await chat('team-b', 'smart')).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 50));
  });
  after(async () => {
    // Whatever failed in `before`, close what did start: an open server would keep the test process alive.
    try {
      await kw.stop();
    } finally {
      await hook.close();
      await fake.close();
    }
  });

  it('alerts at 80 %, stops at 100 %, and reports the spend', async () => {
    const alerted = new Promise<void>((resolve) => (hooked = resolve));
    for (let i = 0; i < 8; i++) assert.equal((await chat('team-a', 'fast')).status, 200);
    await alerted;
    assert.equal(hooks.length, 1);
    const budget = hooks[0]?.['budget'] as Record<string, unknown>;
    assert.equal(budget['subject'], 'consumer team-a');
    assert.equal(budget['level'], 'threshold');
    assert.equal(budget['spent_usd'], 0.8);

    const exhausted = new Promise<void>((resolve) => (hooked = resolve));
    for (let i = 0; i < 2; i++) assert.equal((await chat('team-a', 'smart')).status, 200);
    await exhausted;
    const stopped = await chat('team-a', 'fast');
    assert.equal(stopped.status, 429);
    assert.equal(stopped.code, 'KW_ERR_BUDGET_EXCEEDED');
    assert.ok(Number(stopped.retry) > 0);
    for (let i = 0; i < 2; i++) assert.equal((await chat('team-b', 'smart')).status, 200);

    const usage = await admin<{ ai: { budgets: Array<Record<string, unknown>> } }>(
      'GET',
      '/usage?consumer=team-a',
    );
    assert.equal(usage.ai.budgets[0]?.['spent_usd'], 1);
    assert.equal(usage.ai.budgets[0]?.['remaining_usd'], 0);
    const cli = await runCli(['usage', '--consumer', 'team-b'], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /AI spend budgets/);
    assert.match(cli.stdout, /month-UTC \(plan:team, per consumer\) +\$0\.30 of \$1\.00 +\$0\.70 left/);

    const history = await admin<{
      data: Array<{ rule_name: string; value: number; delivery_status: number }>;
    }>('GET', '/alerts/history?rule=team-budgets');
    assert.deepEqual(history.data.map((e) => [e.rule_name, e.value, e.delivery_status]).sort(), [
      ['team-budgets', 100, 200],
      ['team-budgets', 80, 200],
    ]);
  });

  it('shows the cost per team and model in analytics', async () => {
    // A restart writes out every record and rollup (SIGTERM drains, then flushes).
    assert.equal(await kw.stop(), 0);
    kw = await startKeyway({ dataDir: kw.dataDir, env: { KEYWAY_SECRET: SECRET } });
    const summary = await admin<{ data: Array<{ key: string[]; count: number; cost: number }> }>(
      'GET',
      '/analytics/summary?since=1h&group_by=consumer,model&order_by=cost',
    );
    assert.deepEqual(
      summary.data.map((g) => [g.key, g.count, g.cost]),
      [
        [['team-a', 'gpt-4o-mini'], 8, 0.8],
        [['team-b', 'gpt-4o'], 3, 0.3],
        [['team-a', 'gpt-4o'], 2, 0.2],
      ],
    );
    const logs = await runCli(['logs', '--consumer', 'team-b', '--since', '1h'], {
      KEYWAY_ADMIN_URL: kw.adminUrl,
      KEYWAY_DATA_DIR: kw.dataDir,
    });
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /model=oa\/gpt-4o {2}tokens=10\/4 {2}cost=\$0\.100000/);
  });
});
