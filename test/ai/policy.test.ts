/**
 * The AI policy object on its own (src/ai/policy): allow-lists from the ai-proxy config and from the
 * caller's plan (key tier > app > consumer), requests and tokens per minute with debt, budgets with the
 * soft alert and the hard stop, how config and plan limits combine. Calls are request-context-shaped
 * objects over a local counter store; the end-to-end tests through the gateway are in ai-budgets.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCatalog } from '../../src/ai/catalog.js';
import {
  createAiPolicy,
  modelMatcher,
  type AiPolicyConfig,
  type AiPolicyHandle,
} from '../../src/ai/policy/index.js';
import { KeywayError } from '../../src/core/errors.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { writeLimitHeaders } from '../../src/limits/limit-headers.js';
import type { ResourceTypes } from '../../src/model/index.js';
import type { BudgetCrossing } from '../../src/pipeline/services.js';
import { validatePluginConfig } from '../../src/plugins/registry.js';
import type { PluginEnv } from '../../src/pipeline/plugin.js';
import type { RequestContext } from '../../src/pipeline/context.js';
import type { Identity } from '../../src/pipeline/identity.js';
import { IdentityIndex } from '../../src/snapshot/identities.js';
import { state } from '../helpers/gateway.js';

/** The plugins' clock (PluginServices.now), pinned: periods and waits are exact, however slow the run. */
const NOW = Date.UTC(2026, 10, 28, 12);

interface World {
  env: PluginEnv;
  alerts: BudgetCrossing[];
  idx: IdentityIndex;
}

function world(plans: Array<ResourceTypes['plans']> = []): World {
  const ws = state({
    consumers: [
      { username: 'acme', plan: 'team' },
      { username: 'globex' },
      { username: 'initech', plan: 'team' },
    ],
    apps: [
      { name: 'acme-web', consumer: 'acme' },
      { name: 'acme-batch', consumer: 'acme', plan: 'batch' },
    ],
    plans,
    ai_providers: [
      {
        name: 'oa',
        type: 'openai',
        base_url: 'http://127.0.0.1:9/v1',
        keys: [{ id: 'k1', secret: 'sk-test' }],
      },
      {
        name: 'an',
        type: 'anthropic',
        base_url: 'http://127.0.0.1:9',
        keys: [{ id: 'k1', secret: 'sk-test' }],
      },
    ],
    ai_models: [
      { name: 'fast', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] },
      { name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o' }], fallbacks: ['an/claude-sonnet-4'] },
    ],
  }).workspaces[0];
  assert.ok(ws !== undefined);
  const idx = IdentityIndex.build(ws);
  const alerts: BudgetCrossing[] = [];
  const env: PluginEnv = {
    workspace: 'default',
    identities: idx,
    services: {
      localCounters: new LocalCounterStore({ sweepMs: 0 }),
      now: () => NOW,
      budgetAlerts: { budgetCrossed: (e) => alerts.push(e) },
    },
    ai: buildCatalog(ws, {}, []),
  };
  return { env, alerts, idx };
}

/** A caller: a key of an app of a consumer (or just the consumer), optionally with a key tier. */
function caller(
  w: World,
  who: { consumer: string; app?: string; key?: string; tier?: string },
): RequestContext {
  const headers: Record<string, string> = {};
  let identity: Identity;
  const attributes = who.tier === undefined ? {} : { tier: who.tier };
  if (who.app !== undefined) {
    const app = w.idx.appByName.get(who.app);
    assert.ok(app);
    identity = w.idx.appIdentity(app, { credentialId: who.key ?? `key-of-${who.app}`, attributes });
  } else {
    const c = w.idx.consumerByUsername.get(who.consumer);
    assert.ok(c);
    identity = w.idx.consumerIdentity(c, { credentialId: who.key ?? `key-of-${who.consumer}`, attributes });
  }
  return {
    identity,
    clientIp: '127.0.0.1',
    route: { id: 'route-1' },
    req: { headers: {} },
    state: new Map<string, unknown>(),
    res: {
      headersSent: false,
      setHeader: (k: string, v: string) => (headers[k] = v),
      getHeader: (k: string) => headers[k],
    },
  } as unknown as RequestContext;
}

function policyOf(w: World, config: AiPolicyConfig): AiPolicyHandle {
  assert.deepEqual(validatePluginConfig('ai-proxy', { ...config }), [], 'the config is valid for the plugin');
  return createAiPolicy({ use_plans: true, policy: 'fail_open', ...config }, w.env);
}

async function refusal(p: Promise<void>): Promise<KeywayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof KeywayError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

const usage = (tokensIn: number, tokensOut: number, cost?: number) => ({
  model: 'gpt-4o',
  provider: 'oa',
  tokensIn,
  tokensOut,
  ...(cost === undefined ? {} : { cost }),
});

describe('AI policy: model allow-lists', () => {
  it('matches aliases, provider/model, provider/* and *; an alias by provider only if all it reaches is allowed', () => {
    const w = world();
    const catalog = w.env.ai;
    const byProvider = modelMatcher(['oa/*'], catalog);
    assert.equal(byProvider('oa/gpt-4.1'), true);
    assert.equal(byProvider('fast'), true, 'fast only ever calls oa');
    assert.equal(byProvider('smart'), false, 'smart may fall back to Anthropic');
    assert.equal(byProvider('an/claude-sonnet-4'), false);
    const named = modelMatcher(['smart', 'an/claude-sonnet-4'], catalog);
    assert.equal(named('smart'), true);
    assert.equal(named('fast'), false);
    assert.equal(named('an/claude-sonnet-4'), true);
    assert.equal(named('an/claude-opus-4'), false);
    const both = modelMatcher(['oa/*', 'an/*'], catalog);
    assert.equal(both('smart'), true);
    assert.equal(modelMatcher(['*'])('anything/at-all'), true);
  });

  it('refuses with 403 KW_ERR_MODEL_NOT_ALLOWED and hides what is not allowed from the model list', async () => {
    const w = world();
    const p = policyOf(w, { models: ['fast'] });
    const ctx = caller(w, { consumer: 'globex' });
    await p.admit(ctx, 'fast', 10);
    const err = await refusal(p.admit(caller(w, { consumer: 'globex' }), 'smart', 10));
    assert.equal(err.code, 'KW_ERR_MODEL_NOT_ALLOWED');
    assert.equal(err.status, 403);
    assert.equal(p.visible(ctx, 'fast'), true);
    assert.equal(p.visible(ctx, 'smart'), false);
  });

  it('a plan narrows the models per key tier, app and consumer; config and plan must both allow', async () => {
    const w = world([
      { name: 'team', ai: { models: ['fast', 'smart'] } },
      { name: 'batch', ai: { models: ['fast'] } },
      { name: 'gold', ai: { models: ['oa/*', 'an/*'] } },
    ]);
    const p = policyOf(w, { models: ['fast', 'smart', 'oa/*'] });
    // Consumer plan `team`: fast and smart, but not oa/gpt-4o directly.
    const acme = caller(w, { consumer: 'acme' });
    assert.equal(p.visible(acme, 'smart'), true);
    assert.equal((await refusal(p.admit(acme, 'oa/gpt-4o', 1))).code, 'KW_ERR_MODEL_NOT_ALLOWED');
    // App plan `batch` wins over the consumer's: fast only.
    const batch = caller(w, { consumer: 'acme', app: 'acme-batch' });
    assert.equal(p.visible(batch, 'smart'), false);
    await p.admit(batch, 'fast', 1);
    // A key tier naming a plan wins over both: gold allows every oa and an model; the config still
    // refuses Anthropic directly.
    const gold = caller(w, { consumer: 'acme', app: 'acme-batch', tier: 'gold' });
    await p.admit(gold, 'oa/gpt-4o', 1);
    await p.admit(gold, 'smart', 1);
    assert.equal((await refusal(p.admit(gold, 'an/claude-sonnet-4', 1))).code, 'KW_ERR_MODEL_NOT_ALLOWED');
    // No plan: the config alone.
    await p.admit(caller(w, { consumer: 'globex' }), 'oa/gpt-4o', 1);
    // use_plans: false ignores plans.
    const noPlans = policyOf(w, { use_plans: false });
    await noPlans.admit(caller(w, { consumer: 'acme', app: 'acme-batch' }), 'smart', 1);
  });
});

describe('AI policy: requests per minute', () => {
  it('admits a minute’s worth at once, then refuses with 429, Retry-After and RateLimit headers', async () => {
    const w = world();
    const p = policyOf(w, { requests_per_minute: 3 });
    for (let i = 0; i < 3; i++) await p.admit(caller(w, { consumer: 'globex' }), 'fast', 1);
    const ctx = caller(w, { consumer: 'globex' });
    const err = await refusal(p.admit(ctx, 'fast', 1));
    assert.equal(err.code, 'KW_ERR_RATE_LIMITED');
    assert.equal(err.status, 429);
    assert.equal(err.headers?.['retry-after'], '20', 'one request every 20 s');
    assert.equal(err.headers?.['ratelimit-policy'], '"ai-rpm";q=3;w=60');
    assert.match(err.headers?.['ratelimit'] ?? '', /^"ai-rpm";r=0;t=60$/);
    assert.equal(err.headers?.['x-ratelimit-remaining'], '0');
    // Another key has its own count (by: key is the default).
    await p.admit(caller(w, { consumer: 'globex', key: 'other' }), 'fast', 1);
  });

  it('tells admitted calls what is left through the response headers', async () => {
    const w = world();
    const p = policyOf(w, { requests_per_minute: 10, tokens_per_minute: 1000 });
    const ctx = caller(w, { consumer: 'globex' });
    await p.admit(ctx, 'fast', 5);
    // They reach the answer in the respond phase (ai-proxy's handler), whoever answers the call.
    const headers: Record<string, string> = {};
    ctx.response = { status: 200, headers };
    writeLimitHeaders(ctx);
    assert.equal(headers['ratelimit-policy'], '"ai-tpm";q=1000;w=60, "ai-rpm";q=10;w=60');
    assert.equal(headers['ratelimit'], '"ai-tpm";r=1000;t=0, "ai-rpm";r=9;t=6');
  });
});

describe('AI policy: tokens per minute', () => {
  it('charges actual tokens after the call, past the limit (debt): the next calls wait', async () => {
    const w = world();
    const p = policyOf(w, { tokens_per_minute: 1000, count_prompt_tokens: false });
    const ctx = caller(w, { consumer: 'globex' });
    await p.admit(ctx, 'fast', 10);
    p.settle(ctx, usage(900, 600));
    await p.idle();
    // 1,500 of 1,000: 500 owed, plus one token needed = 501 × 60 ms ≈ 30 s.
    const err = await refusal(p.admit(caller(w, { consumer: 'globex' }), 'fast', 10));
    assert.equal(err.code, 'KW_ERR_TOKEN_LIMIT_EXCEEDED');
    assert.equal(err.status, 429);
    const retry = Number(err.headers?.['retry-after']);
    assert.ok(retry >= 30 && retry <= 31, `Retry-After ${retry}`);
    assert.match(err.headers?.['ratelimit'] ?? '', /"ai-tpm";r=0;t=90/);
  });

  it('counts the prompt estimate at admission when asked (the default)', async () => {
    const w = world();
    const p = policyOf(w, { tokens_per_minute: 1000 });
    const ctx = caller(w, { consumer: 'globex' });
    await p.admit(ctx, 'fast', 100);
    p.settle(ctx, usage(100, 500));
    await p.idle();
    // 400 left: a 300-token prompt goes, a 600-token prompt waits for 200 more (12 s).
    await p.admit(caller(w, { consumer: 'globex' }), 'fast', 300);
    const err = await refusal(p.admit(caller(w, { consumer: 'globex' }), 'fast', 600));
    assert.equal(err.code, 'KW_ERR_TOKEN_LIMIT_EXCEEDED');
    assert.equal(err.headers?.['retry-after'], '12');
    // A prompt larger than the whole bucket waits for a full bucket, not forever.
    const huge = await refusal(p.admit(caller(w, { consumer: 'globex' }), 'fast', 50_000));
    assert.equal(huge.headers?.['retry-after'], '36');
  });
});

describe('AI policy: spend budgets', () => {
  it('alerts once at 80 %, stops at 100 % with Retry-After until the period renews', async () => {
    const w = world();
    const p = policyOf(w, { by: ['consumer'], budgets: [{ usd: 1, period: 'month' }] });
    const call = async (cost: number, key = 'k1') => {
      const ctx = caller(w, { consumer: 'globex', key });
      await p.admit(ctx, 'fast', 1);
      p.settle(ctx, usage(10, 10, cost));
      await p.idle();
    };
    await call(0.5);
    await call(0.29);
    assert.equal(w.alerts.length, 0, '79 %: nothing yet');
    await call(0.02, 'k2'); // 81 %, another key of the same consumer
    assert.equal(w.alerts.length, 1);
    const alert = w.alerts[0];
    assert.equal(alert?.level, 'threshold');
    assert.equal(alert?.percent, 80);
    assert.equal(alert?.subject, 'consumer globex');
    assert.equal(alert?.consumer, 'globex');
    assert.equal(alert?.spent_usd, 0.81);
    assert.equal(alert?.limit_usd, 1);
    assert.equal(alert?.budget, 'month-UTC');
    assert.equal(alert?.source, 'plugin');
    assert.equal(alert?.period, '2026-11');
    await call(0.1);
    assert.equal(w.alerts.length, 1, 'once per period and subject');
    await call(0.15); // 106 %: the call was admitted at 91 % and is charged in full
    assert.deepEqual(
      w.alerts.map((a) => a.level),
      ['threshold', 'exhausted'],
    );
    const err = await refusal(p.admit(caller(w, { consumer: 'globex' }), 'fast', 1));
    assert.equal(err.code, 'KW_ERR_BUDGET_EXCEEDED');
    assert.equal(err.status, 429);
    // Until the month renews: 2.5 days from the pinned noon of 28 November.
    assert.equal(err.headers?.['retry-after'], String((Date.UTC(2026, 11, 1) - NOW) / 1000));
    // Another consumer has its own budget.
    await p.admit(caller(w, { consumer: 'acme' }), 'fast', 1);
  });

  it('models without a price cost nothing; one large call can cross both thresholds at once', async () => {
    const w = world();
    const p = policyOf(w, {
      budgets: [{ usd: 2, period: 'day', time_zone: 'Europe/Paris', alert_at: 50, name: 'daily' }],
    });
    const ctx = caller(w, { consumer: 'globex' });
    await p.admit(ctx, 'fast', 1);
    p.settle(ctx, usage(1000, 1000));
    await p.idle();
    assert.equal(w.alerts.length, 0);
    p.settle(ctx, usage(1000, 1000, 2.5));
    await p.idle();
    assert.deepEqual(
      w.alerts.map((a) => [a.level, a.percent, a.budget, a.subject]),
      [
        ['threshold', 50, 'daily', 'key key-of-globex'],
        ['exhausted', 100, 'daily', 'key key-of-globex'],
      ],
    );
  });

  it('plan and config budgets both apply, each with its own counter', async () => {
    const w = world([{ name: 'team', ai: { by: ['consumer'], budgets: [{ usd: 10, period: 'month' }] } }]);
    const p = policyOf(w, { budgets: [{ usd: 1, period: 'month' }] });
    const a = caller(w, { consumer: 'acme', key: 'a1' });
    await p.admit(a, 'fast', 1);
    p.settle(a, usage(1, 1, 1));
    await p.idle();
    // Key a1 spent its plugin budget ($1 per key); the team's plan budget has $9 left.
    assert.equal(
      (await refusal(p.admit(caller(w, { consumer: 'acme', key: 'a1' }), 'fast', 1))).code,
      'KW_ERR_BUDGET_EXCEEDED',
    );
    const a2 = caller(w, { consumer: 'acme', key: 'a2' });
    await p.admit(a2, 'fast', 1);
    p.settle(a2, usage(1, 1, 9));
    await p.idle();
    // Now the team (consumer acme, plan team) is at $10: every key of acme stops, initech (also team) not.
    assert.equal(
      (await refusal(p.admit(caller(w, { consumer: 'acme', key: 'a3' }), 'fast', 1))).code,
      'KW_ERR_BUDGET_EXCEEDED',
    );
    await p.admit(caller(w, { consumer: 'initech' }), 'fast', 1);
    assert.deepEqual(
      w.alerts.map((a) => [a.source, a.level, a.subject]),
      [
        ['plugin', 'threshold', 'key a1'],
        ['plugin', 'exhausted', 'key a1'],
        ['plugin', 'threshold', 'key a2'],
        ['plugin', 'exhausted', 'key a2'],
        ['plan:team', 'threshold', 'consumer acme'],
        ['plan:team', 'exhausted', 'consumer acme'],
      ],
    );
  });

  it('refuses configs that make no sense', () => {
    for (const [config, path] of [
      [{ budgets: [{ usd: 0, period: 'month' }] }, '/config/budgets/0/usd'],
      [{ budgets: [{ usd: 5, period: 'week' }] }, '/config/budgets/0/period'],
      [{ budgets: [{ usd: 5, period: 'day', time_zone: 'Mars/Olympus' }] }, '/config/budgets/0/time_zone'],
      [{ budgets: [{ usd: 5, period: 'day', alert_at: 100 }] }, '/config/budgets/0/alert_at'],
      [{ requests_per_minute: 0 }, '/config/requests_per_minute'],
      [{ tokens_per_minute: -5 }, '/config/tokens_per_minute'],
      [{ by: ['ip'] }, '/config/by/0'],
    ] as const) {
      const problems = validatePluginConfig('ai-proxy', config);
      assert.ok(
        problems.some((d) => d.path === path),
        `${JSON.stringify(config)} → ${JSON.stringify(problems)}`,
      );
    }
    const w = world();
    assert.throws(
      () =>
        createAiPolicy(
          {
            budgets: [
              { usd: 1, period: 'day' },
              { usd: 2, period: 'day' },
            ],
          },
          w.env,
        ),
      /two budgets are named "day-UTC"/,
    );
  });
});
