/**
 * Tokens, budgets and model allow-lists end to end: a real gateway (key-auth, ai-proxy with a global
 * config and a consumer-scoped one, plans on consumers, apps and key tiers) in front of a fake OpenAI, the
 * budget alerts going through the real alert history (SQLite) to a real webhook receiver.
 *
 * Every call costs exactly $0.10: the fake provider reports 10 prompt tokens, priced at $10,000 per
 * million input tokens (and nothing for output).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { usageReport } from '../../src/control/usage.js';
import type { ConfigState } from '../../src/model/index.js';
import { AlertRuleStore } from '../../src/observe/alerts/alert-rules.js';
import { BudgetAlerts } from '../../src/observe/alerts/budget-alerts.js';
import { verify } from '../../src/observe/alerts/webhook.js';
import { openObserveDb, type ObserveDb } from '../../src/observe/store/observe-db.js';
import { validatePluginConfig } from '../../src/plugins/registry.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { StoredApiKey } from '../../src/store/types.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { aiState, completion, textStream } from './openai-fixtures.js';

const SECRET = 'budget-webhook-secret-0123456789';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

describe('AI budgets, token and request rates, allow-lists through the gateway', () => {
  let fake: FakeLlm;
  let gw: TestGateway;
  let dir: string;
  let store: Store;
  let db: ObserveDb;
  let hook: TestServer;
  let alerts: BudgetAlerts;
  let cfg: ConfigState;
  const hooks: Array<{ body: Record<string, unknown>; signed: boolean }> = [];
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const local = new LocalCounterStore({ sweepMs: 0 });

  const recs = new Map<string, StoredApiKey>();
  const keyFor = (app: string, tier?: string): string => {
    const appId = cfg.workspaces[0]?.apps.find((a) => a.name === app)?.id ?? 'none';
    const { key, rec } = keys.issue(appId, tier === undefined ? {} : { tier });
    recs.set(key, rec);
    return key;
  };
  let tpmKey = '';

  async function call(key: string, path: string, body?: unknown): Promise<Answer> {
    const res = await request(`${gw.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  }
  const chat = (key: string, model = 'fast', extra: Record<string, unknown> = {}) =>
    call(key, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }], ...extra });
  const code = (a: Answer): unknown => (a.body['error'] as { code?: unknown } | undefined)?.code;

  before(async () => {
    fake = await startFakeLlm(() => ({
      json: completion('ok', { usage: { prompt_tokens: 10, completion_tokens: 5 } }),
    }));
    hook = await startServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const signed = verify(
          SECRET,
          String(req.headers['keyway-timestamp']),
          raw,
          String(req.headers['keyway-signature']),
        );
        hooks.push({ body: JSON.parse(raw) as Record<string, unknown>, signed });
        res.end('ok');
      });
    });
    dir = await mkdtemp(join(tmpdir(), 'keyway-ai-budgets-'));
    store = await openStore({ dataDir: dir });
    db = openObserveDb({ dataDir: dir });
    const rules = new AlertRuleStore(db);
    await rules.create({
      name: 'team-budgets',
      kind: 'ai_budget',
      threshold: 80,
      webhook_url: `http://${hook.address}/hook`,
      secret: SECRET,
    });
    alerts = new BudgetAlerts(db, rules, { log: { warn: () => undefined } });

    const global = { models: ['fast', 'smart', 'oa/*'] };
    const teamB = { models: ['fast'], tokens_per_minute: 100, count_prompt_tokens: false };
    for (const c of [global, teamB]) assert.deepEqual(validatePluginConfig('ai-proxy', { ...c }), []);
    cfg = aiState({
      providers: [
        {
          name: 'oa',
          type: 'openai',
          base_url: `${fake.url}/v1`,
          keys: [{ id: 'k1', secret: 'sk-test-budget-0001' }],
          prices: [
            { model: 'gpt-4o-mini', input: 10_000, output: 0 },
            { model: 'gpt-4o', input: 10_000, output: 0 },
          ],
        },
      ],
      models: [
        { name: 'fast', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] },
        { name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o' }] },
      ],
      config: global,
      plans: [
        {
          name: 'team',
          ai: {
            models: ['fast', 'smart'],
            by: ['consumer'],
            budgets: [{ usd: 1, period: 'month', alert_at: 80 }],
          },
        },
        { name: 'batch', ai: { models: ['fast'] } },
        { name: 'tiny', ai: { requests_per_minute: 2 } },
      ],
      consumers: [{ username: 'team-a', plan: 'team' }, { username: 'team-b' }, { username: 'team-c' }],
      apps: [
        { name: 'a-web', consumer: 'team-a' },
        { name: 'a-cli', consumer: 'team-a' },
        { name: 'a-batch', consumer: 'team-a', plan: 'batch' },
        { name: 'b-app', consumer: 'team-b' },
        { name: 'c-app', consumer: 'team-c' },
      ],
      plugins: [
        { name: 'key-auth', service: 'ai' },
        { name: 'ai-proxy', service: 'ai', consumer: 'team-b', config: teamB },
      ],
    });
    gw = await startGateway(cfg, {
      services: { apiKeys: resolver, counters: local, localCounters: local, budgetAlerts: alerts },
    });
  });
  after(async () => {
    await gw.close();
    await fake.close();
    await alerts.idle();
    await hook.close();
    await db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('model allow-lists per consumer plan, app plan, key tier and consumer-scoped config', async () => {
    const models = async (key: string): Promise<string[]> =>
      ((await call(key, '/v1/models')).body['data'] as Array<{ id: string }>).map((m) => m.id).sort();
    // team-a's plan allows fast and smart; the global config would also allow oa/* directly.
    const web = keyFor('a-web');
    assert.deepEqual(await models(web), ['fast', 'smart']);
    const refused = await chat(web, 'oa/gpt-4o');
    assert.equal(refused.status, 403);
    assert.equal(code(refused), 'KW_ERR_MODEL_NOT_ALLOWED');
    assert.equal((refused.body['error'] as { type: string }).type, 'permission_error');
    // The app's plan (batch) wins over the consumer's: fast only.
    assert.deepEqual(await models(keyFor('a-batch')), ['fast']);
    assert.equal(code(await chat(keyFor('a-batch'), 'smart')), 'KW_ERR_MODEL_NOT_ALLOWED');
    // A key tier naming a plan wins over both: tiny has no allow-list, the global config decides.
    assert.deepEqual(await models(keyFor('a-batch', 'tiny')), [
      'fast',
      'oa/gpt-4o',
      'oa/gpt-4o-mini',
      'smart',
    ]);
    // team-b has its own ai-proxy config (consumer-scoped), which replaces the global one.
    assert.deepEqual(await models(keyFor('b-app')), ['fast']);
    assert.equal(code(await chat(keyFor('b-app'), 'smart')), 'KW_ERR_MODEL_NOT_ALLOWED');
    assert.equal(fake.requests.length, 0, 'no refused call reached the provider');
  });

  it('requests per minute: 429 KW_ERR_RATE_LIMITED with Retry-After and the RateLimit headers', async () => {
    const key = keyFor('c-app', 'tiny');
    const first = await chat(key);
    assert.equal(first.status, 200);
    assert.equal(first.headers['ratelimit-policy'], '"tiny.ai-rpm";q=2;w=60');
    assert.equal(first.headers['ratelimit'], '"tiny.ai-rpm";r=1;t=30');
    assert.equal(first.headers['x-ratelimit-limit'], '2');
    assert.equal(first.headers['x-ratelimit-remaining'], '1');
    assert.equal((await chat(key)).status, 200);
    const third = await chat(key);
    assert.equal(third.status, 429);
    assert.equal(code(third), 'KW_ERR_RATE_LIMITED');
    assert.equal(third.headers['retry-after'], '30');
    assert.equal(third.headers['x-ratelimit-remaining'], '0');
  });

  it('tokens per minute: the actual tokens are charged after the call, past the limit, and the next call waits', async () => {
    const key = keyFor('b-app');
    tpmKey = key;
    fake.queue({ json: completion('long answer', { usage: { prompt_tokens: 80, completion_tokens: 70 } }) });
    const first = await chat(key);
    assert.equal(first.status, 200);
    // 150 tokens of 100: 50 owed; one more token is there after 51 × 600 ms.
    const second = await chat(key);
    assert.equal(second.status, 429);
    assert.equal(code(second), 'KW_ERR_TOKEN_LIMIT_EXCEEDED');
    // 30.6 s at the moment of the charge; a busy machine may take a few hundred ms to get here.
    assert.match(String(second.headers['retry-after']), /^3[01]$/);
    assert.match(String(second.headers['ratelimit']), /^"ai-tpm";r=0;t=90$/);
    // Streamed calls are charged too, from the usage the stream reports.
    const other = keyFor('b-app');
    fake.queue({ sse: textStream(['a', 'b'], [60, 50]) });
    const streamed = await request(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(streamed.statusCode, 200);
    assert.match(await streamed.body.text(), /\[DONE\]/);
    assert.equal(code(await chat(other)), 'KW_ERR_TOKEN_LIMIT_EXCEEDED');
  });

  it('a team budget: one alert at 80 %, a hard stop at 100 % with Retry-After until the month renews', async () => {
    // Two keys of two apps of team-a: the plan's budget is kept per consumer, so they share it.
    const web = keyFor('a-web');
    const cli = keyFor('a-cli');
    for (let i = 0; i < 7; i++) assert.equal((await chat(i % 2 === 0 ? web : cli)).status, 200);
    await alerts.idle();
    assert.equal(hooks.length, 0, '$0.70 of $1: no alert yet');
    assert.equal((await chat(cli)).status, 200);
    await alerts.idle();
    assert.equal(hooks.length, 1, '$0.80: the alert');
    const hit = hooks[0];
    assert.equal(hit?.signed, true);
    assert.equal(hit?.body['kind'], 'ai_budget');
    assert.equal(hit?.body['alert'], 'team-budgets');
    assert.deepEqual(
      {
        ...(hit?.body['budget'] as Record<string, unknown>),
        resets_at: undefined,
      },
      {
        workspace: 'default',
        name: 'month-UTC',
        source: 'plan:team',
        counted_per: 'consumer',
        subject: 'consumer team-a',
        consumer: 'team-a',
        period: new Date().toISOString().slice(0, 7),
        level: 'threshold',
        percent: 80,
        spent_usd: 0.8,
        limit_usd: 1,
        resets_at: undefined,
      },
    );
    assert.equal((await chat(web)).status, 200);
    await alerts.idle();
    assert.equal(hooks.length, 1, 'once per period and subject');
    assert.equal((await chat(web)).status, 200);
    await alerts.idle();
    assert.deepEqual(
      hooks.map((h) => (h.body['budget'] as { level: string }).level),
      ['threshold', 'exhausted'],
    );

    // Spent: every key of team-a stops, through the official SDK too.
    const stopped = await chat(keyFor('a-web'));
    assert.equal(stopped.status, 429);
    assert.equal(code(stopped), 'KW_ERR_BUDGET_EXCEEDED');
    const now = new Date();
    const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const retry = Number(stopped.headers['retry-after']);
    assert.ok(Math.abs(retry - (monthEnd - Date.now()) / 1000) <= 2, `Retry-After ${retry}`);
    const sdk = new OpenAI({ apiKey: cli, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      sdk.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) =>
        err instanceof OpenAI.RateLimitError &&
        (err.error as { code?: string }).code === 'KW_ERR_BUDGET_EXCEEDED',
    );
    // Another team is not affected; the app on another plan (batch: no budget) neither.
    assert.equal((await chat(keyFor('c-app'))).status, 200);
    assert.equal((await chat(keyFor('a-batch'))).status, 200);

    // The alert history has both crossings, delivered (the receiver answered 200).
    const rows = await db.db.selectFrom('alert_events').selectAll().orderBy('value').execute();
    assert.deepEqual(
      rows.map((r) => [r.rule_name, Number(r.value), r.state, Number(r.delivery_status)]),
      [
        ['team-budgets', 80, 'firing', 200],
        ['team-budgets', 100, 'firing', 200],
      ],
    );
    assert.match(rows[0]?.subject ?? '', /consumer team-a/);
  });

  it('GET /usage reports the period’s spend and the tokens a key can use now', async () => {
    const ws = cfg.workspaces[0];
    assert.ok(ws !== undefined);
    const team = await usageReport(ws, local, { consumer: 'team-a' }, Date.now());
    assert.deepEqual(
      team?.ai.budgets.map((b) => [b.name, b.source, b.usd, b.spent_usd, b.remaining_usd, b.counted_per]),
      [['month-UTC', 'plan:team', 1, 1, 0, 'consumer']],
    );
    assert.equal(team?.ai.budgets[0]?.period_id, new Date().toISOString().slice(0, 7));
    const rec = recs.get(tpmKey);
    assert.ok(rec !== undefined);
    const b = await usageReport(ws, local, { key: rec }, Date.now());
    assert.deepEqual(b?.ai.tokens, [
      { source: 'plugin', tokens_per_minute: 100, counted_per: 'key', available: 0 },
    ]);
    // Asked about the consumer, a per-key bucket cannot be told: listed without figures.
    const consumer = await usageReport(ws, local, { consumer: 'team-b' }, Date.now());
    assert.deepEqual(consumer?.ai.tokens, [{ source: 'plugin', tokens_per_minute: 100, counted_per: 'key' }]);
  });
});
