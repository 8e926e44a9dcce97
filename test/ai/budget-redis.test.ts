/**
 * Two gateways sharing the real Redis on 127.0.0.1:6379 (keys under a prefix unique to this run, deleted
 * at the end) spend one team budget at once. Spend is known only after each call, so a budget can be
 * overspent by what is in flight when it runs out — and no more: with one call at a time per gateway,
 * never more than one call each. The 80 % alert fires exactly once across both gateways: of all the
 * atomic charges, one crosses.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { RedisCounterStore } from '../../src/limits/redis-store.js';
import type { ConfigState } from '../../src/model/index.js';
import type { BudgetCrossing } from '../../src/pipeline/services.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { aiState, completion } from './openai-fixtures.js';

const REDIS = 'redis://127.0.0.1:6379';
const prefix = `kw-test:${randomUUID()}:`;
/** Each call costs $0.10 (10 prompt tokens at $10,000 per million); the budget is $2. */
const CALL_USD = 0.1;
const BUDGET_USD = 2;

describe('AI budget shared by two gateways through Redis', () => {
  let fake: FakeLlm;
  const gateways: TestGateway[] = [];
  const stores: RedisCounterStore[] = [];
  const locals: LocalCounterStore[] = [];
  const crossings: BudgetCrossing[] = [];
  const admin = new Redis(REDIS);
  const keys = new MemoryKeys();
  let cfg: ConfigState;

  before(async () => {
    fake = await startFakeLlm(() => ({
      json: completion('ok', { usage: { prompt_tokens: 10, completion_tokens: 3 } }),
    }));
    cfg = aiState({
      providers: [
        {
          name: 'oa',
          type: 'openai',
          base_url: `${fake.url}/v1`,
          keys: [{ id: 'k1', secret: 'sk-test-redis-0001' }],
          prices: [{ model: 'gpt-4o-mini', input: 10_000, output: 0 }],
        },
      ],
      models: [{ name: 'fast', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
      config: { by: ['consumer'], budgets: [{ usd: BUDGET_USD, period: 'day', time_zone: 'Europe/Paris' }] },
      consumers: [{ username: 'team' }],
      apps: [{ name: 'team-app', consumer: 'team' }],
      plugins: [{ name: 'key-auth', service: 'ai' }],
    });
    for (let i = 0; i < 2; i++) {
      const counters = new RedisCounterStore({ url: REDIS, prefix });
      await counters.ready();
      const local = new LocalCounterStore({ sweepMs: 0 });
      stores.push(counters);
      locals.push(local);
      const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
      gateways.push(
        await startGateway(cfg, {
          services: {
            apiKeys: resolver,
            counters,
            localCounters: local,
            budgetAlerts: { budgetCrossed: (e) => crossings.push(e) },
          },
        }),
      );
    }
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    for (const s of stores) await s.close();
    for (const l of locals) await l.close();
    await fake.close();
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
  });

  it('never overspends by more than one in-flight call per gateway, and alerts once', async () => {
    const appId = cfg.workspaces[0]?.apps[0]?.id ?? '';
    /** One client per gateway, one call at a time, until the budget refuses it. */
    const spend = async (gw: TestGateway): Promise<{ ok: number; refused: string }> => {
      const key = keys.issue(appId).key;
      let ok = 0;
      for (;;) {
        const res = await request(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
        });
        const body = JSON.parse(await res.body.text()) as { error?: { code: string } };
        if (res.statusCode !== 200) return { ok, refused: body.error?.code ?? String(res.statusCode) };
        ok++;
      }
    };
    const [a, b] = await Promise.all(gateways.map((gw) => spend(gw)));
    assert.equal(a?.refused, 'KW_ERR_BUDGET_EXCEEDED');
    assert.equal(b?.refused, 'KW_ERR_BUDGET_EXCEEDED');
    const calls = (a?.ok ?? 0) + (b?.ok ?? 0);
    const budgetCalls = Math.round(BUDGET_USD / CALL_USD);
    assert.ok(calls >= budgetCalls, `${calls} calls: the budget was used`);
    assert.ok(
      calls <= budgetCalls + 1,
      `${calls} calls: at most one in flight per gateway beyond the budget`,
    );
    assert.equal(fake.requests.length, calls, 'every admitted call reached the provider, no refused one did');

    // What Redis holds is exactly what was spent (micro-dollars, one counter for both gateways).
    const [counter] = await admin.keys(`${prefix}default:ai:cfg:b:day-Europe_Paris:*`);
    assert.ok(counter !== undefined);
    assert.equal(Number(await admin.get(counter)), Math.round(calls * CALL_USD * 1e6));
    assert.deepEqual(
      crossings.map((c) => [c.level, c.subject]),
      [
        ['threshold', 'consumer team'],
        ['exhausted', 'consumer team'],
      ],
    );
  });
});
