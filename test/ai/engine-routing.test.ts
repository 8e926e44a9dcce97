/**
 * The engine's routing through the real data plane: weighted split, fallbacks on 5xx, key rotation and
 * cooldowns on 429 (Retry-After honoured, surviving a snapshot recompile), every key cooling, timeouts,
 * non-retryable refusals answered at once, unreachable providers, and what the caller is told.
 */
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { ResourceTypes } from '../../src/model/index.js';
import { gate, type FakeLlm, type RecordedRequest } from '../helpers/fake-llm.js';
import { deadPort } from '../helpers/upstream.js';
import { aiHarness } from './harness.js';
import { aiState, completion, openAiError } from './openai-fixtures.js';

const user = [{ role: 'user' as const, content: 'hi' }];

describe('engine routing', () => {
  let dead: number;
  /** Per-test behaviour of the fake, by provider path prefix ('a', 'b', …). */
  let behave: (provider: string, req: RecordedRequest) => Parameters<FakeLlm['queue']>[0];

  const provider = (name: string, extra: Partial<ResourceTypes['ai_providers']> = {}) => ({
    name,
    type: 'openai' as const,
    base_url: `${h.fake.url}/${name}/v1`,
    keys: [{ id: `${name}-k1`, secret: `sk-${name}-one-0001` }],
    cooldown_ms: 1000,
    ...extra,
  });
  const providerOf = (r: RecordedRequest | undefined) => r?.url.split('/')[1];

  before(async () => {
    dead = await deadPort();
  });
  const h = aiHarness({
    responder: (req) => behave(providerOf(req) ?? '', req),
    config: () =>
      aiState({
        providers: [
          provider('a', {
            keys: [
              { id: 'a-k1', secret: 'sk-a-one-0001' },
              { id: 'a-k2', secret: 'sk-a-two-0002' },
            ],
          }),
          provider('b'),
          provider('c'),
          provider('slow', { timeout_ms: 150 }),
          {
            name: 'dead',
            type: 'openai',
            base_url: `http://127.0.0.1:${dead}/v1`,
            keys: [{ id: 'd', secret: 'sk-d' }],
          },
        ],
        models: [
          {
            name: 'split',
            targets: [
              { provider: 'a', model: 'm-a', weight: 3 },
              { provider: 'b', model: 'm-b', weight: 1 },
            ],
            retries: 0,
          },
          {
            name: 'primary',
            targets: [{ provider: 'a', model: 'm-a' }],
            fallbacks: ['backup'],
            retries: 1,
            retry_backoff_ms: 1,
          },
          { name: 'backup', targets: [{ provider: 'b', model: 'm-b' }], retries: 0 },
          {
            name: 'single',
            targets: [{ provider: 'c', model: 'm-c' }],
            fallbacks: ['b/m-b'],
            retries: 1,
            retry_backoff_ms: 1,
          },
          { name: 'lonely', targets: [{ provider: 'c', model: 'm-c' }], retries: 1, retry_backoff_ms: 1 },
          { name: 'slow', targets: [{ provider: 'slow', model: 'm-s' }], retries: 0 },
          {
            name: 'bounded',
            targets: [{ provider: 'slow', model: 'm-s' }],
            retries: 5,
            retry_backoff_ms: 1,
            timeout_ms: 200,
          },
          {
            name: 'unreachable',
            targets: [{ provider: 'dead', model: 'x' }],
            fallbacks: ['b/m-b'],
            retries: 0,
          },
        ],
      }),
  });
  beforeEach(() => {
    behave = (p) => ({ json: completion(`from ${p}`) });
  });

  it('splits an alias by weight, smoothly: 3:1 gives a a b a', async () => {
    const served: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { response } = await h.client.chat.completions
        .create({ model: 'split', messages: user })
        .withResponse();
      served.push(response.headers.get('x-keyway-ai-provider') ?? '');
    }
    assert.deepEqual(served, ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
  });

  it('falls back when the provider answers 500, and the headers say who served', async () => {
    behave = (p) =>
      p === 'a'
        ? { status: 500, json: openAiError('boom', 'server_error') }
        : { json: completion(`from ${p}`) };
    const { data, response } = await h.client.chat.completions
      .create({ model: 'primary', messages: user })
      .withResponse();
    assert.equal(data.choices[0]?.message.content, 'from b');
    assert.equal(data.model, 'primary', 'the body still names what was asked for');
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'b');
    assert.equal(response.headers.get('x-keyway-ai-model'), 'm-b');
    // primary: 1 + 1 retry on a (its second key), then the fallback.
    assert.deepEqual(h.fake.requests.map(providerOf), ['a', 'a', 'b']);
    assert.notEqual(
      h.fake.requests[0]?.headers.authorization,
      h.fake.requests[1]?.headers.authorization,
      'retry on another key',
    );
  });

  it('on 429 with Retry-After: next key at once, the refused key cools (surviving a recompile)', async () => {
    behave = (p, req) =>
      req.headers.authorization === 'Bearer sk-a-one-0001'
        ? {
            status: 429,
            headers: { 'retry-after': '20' },
            json: openAiError('Rate limit reached', 'requests', 'rate_limit_exceeded'),
          }
        : { json: completion(`from ${p}`) };
    const started = Date.now();
    const res = await h.client.chat.completions.create({ model: 'primary', messages: user });
    assert.ok(Date.now() - started < 1000, 'no wait: the other key was free');
    assert.equal(res.choices[0]?.message.content, 'from a');
    assert.deepEqual(
      h.fake.requests.map((r) => r.headers.authorization),
      ['Bearer sk-a-one-0001', 'Bearer sk-a-two-0002'],
    );
    const cooling = h.gw.caches.aiKeys.remaining('default', 'a', 'a-k1');
    assert.ok(
      cooling > 15_000 && cooling <= 20_000,
      `Retry-After (20 s) beats cooldown_ms (1 s): ${cooling}`,
    );

    h.gw.swap(h.config);
    h.fake.requests.length = 0;
    for (let i = 0; i < 3; i++) await h.client.chat.completions.create({ model: 'primary', messages: user });
    assert.ok(
      h.fake.requests.every((r) => r.headers.authorization === 'Bearer sk-a-two-0002'),
      'the cooling key stays out after a config change',
    );
  });

  it('skips a target whose keys all cool and goes to the fallback', async () => {
    behave = (p) =>
      p === 'c'
        ? { status: 429, json: openAiError('Rate limit reached') }
        : { json: completion(`from ${p}`) };
    const first = await h.client.chat.completions.create({ model: 'single', messages: user }).withResponse();
    assert.equal(first.response.headers.get('x-keyway-ai-provider'), 'b');
    assert.deepEqual(h.fake.requests.map(providerOf), ['c', 'b'], 'the retry found no usable key on c');
    h.fake.requests.length = 0;
    const second = await h.client.chat.completions.create({ model: 'single', messages: user }).withResponse();
    assert.equal(second.response.headers.get('x-keyway-ai-provider'), 'b');
    assert.deepEqual(h.fake.requests.map(providerOf), ['b'], 'c is not even tried while it cools');
  });

  it('answers 429 with the provider message when the only key is rate limited and nothing else can serve', async () => {
    behave = () => ({
      status: 429,
      headers: { 'retry-after': '3' },
      json: openAiError('Rate limit reached for requests'),
    });
    const res = await h.postChat({ model: 'lonely', messages: user });
    const body = (await res.body.json()) as { error: { code: string; message: string; type: string } };
    assert.equal(res.statusCode, 429);
    assert.equal(body.error.code, 'KW_ERR_AI_PROVIDER');
    assert.equal(body.error.type, 'rate_limit_error');
    assert.match(body.error.message, /Rate limit reached/);
    assert.equal(res.headers['retry-after'], '3');

    // Now the key cools: nothing is tried, the answer is 503 with when to come back.
    h.fake.requests.length = 0;
    const again = await h.postChat({ model: 'lonely', messages: user });
    const body2 = (await again.body.json()) as { error: { code: string } };
    assert.equal(again.statusCode, 503);
    assert.equal(body2.error.code, 'KW_ERR_AI_NO_PROVIDER');
    assert.ok(Number(again.headers['retry-after']) >= 1);
    assert.equal(h.fake.requests.length, 0);
  });

  it('answers a non-retryable refusal at once with the provider status, no fallback', async () => {
    behave = () => ({
      status: 400,
      json: openAiError(
        "This model's maximum context length is 128000 tokens.",
        'invalid_request_error',
        'context_length_exceeded',
      ),
    });
    await assert.rejects(
      h.client.chat.completions.create({ model: 'primary', messages: user }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.equal((err.error as { code: string }).code, 'KW_ERR_AI_PROVIDER');
        assert.match(err.message, /maximum context length/);
        return true;
      },
    );
    assert.equal(h.fake.requests.length, 1);
  });

  it('never shows the provider key or URL, even when the provider quotes them', async () => {
    behave = () => ({
      status: 401,
      json: openAiError(
        `Incorrect API key provided: sk-a-one-0001. You can find your API key at https://platform.openai.com/account/api-keys. See ${h.fake.url}/a/v1`,
        'invalid_request_error',
        'invalid_api_key',
      ),
    });
    const res = await h.postChat({ model: 'a/m-a', messages: user });
    const text = await res.body.text();
    assert.equal(res.statusCode, 502, "the caller's credentials were fine: a gateway-side problem");
    assert.match(text, /KW_ERR_AI_PROVIDER/);
    assert.match(text, /Incorrect API key provided/);
    for (const secret of [
      'sk-a-one-0001',
      'sk-a-two-0002',
      h.fake.url,
      'platform.openai.com',
      String(h.fake.port),
    ])
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.ok(h.gw.caches.aiKeys.remaining('default', 'a', 'a-k1') > 0, 'a refused key cools');
    assert.ok(
      h.gw.caches.aiKeys.remaining('default', 'a', 'a-k2') > 0,
      'the retry used (and cooled) the other key',
    );
  });

  it('answers 504 when the provider does not answer within its timeout', async () => {
    const release = gate();
    behave = () => ({ hold: release.promise, json: completion('late') });
    try {
      const started = Date.now();
      const res = await h.postChat({ model: 'slow', messages: user });
      const body = (await res.body.json()) as { error: { code: string; type: string } };
      assert.equal(res.statusCode, 504);
      assert.equal(body.error.code, 'KW_ERR_AI_PROVIDER_TIMEOUT');
      assert.equal(body.error.type, 'timeout_error');
      assert.ok(Date.now() - started < 2000);
    } finally {
      release.open();
    }
  });

  it("bounds the whole call by the alias's timeout_ms across attempts", async () => {
    const release = gate();
    behave = () => ({ hold: release.promise, json: completion('late') });
    try {
      const started = Date.now();
      const res = await h.postChat({ model: 'bounded', messages: user, stream: true });
      const body = (await res.body.json()) as { error: { code: string } };
      const took = Date.now() - started;
      assert.equal(res.statusCode, 504);
      assert.equal(body.error.code, 'KW_ERR_AI_PROVIDER_TIMEOUT');
      assert.ok(took < 1000, `5 retries of 150 ms each would take longer than the 200 ms bound: ${took}`);
      assert.ok(h.fake.requests.length <= 2);
    } finally {
      release.open();
    }
  });

  it('moves on to the fallback at once when Retry-After is too long to wait', async () => {
    behave = (p) =>
      p === 'a'
        ? { status: 503, headers: { 'retry-after': '120' }, json: openAiError('overloaded', 'server_error') }
        : { json: completion(`from ${p}`) };
    const started = Date.now();
    const { response } = await h.client.chat.completions
      .create({ model: 'primary', messages: user })
      .withResponse();
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'b');
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(h.fake.requests.map(providerOf), ['a', 'b']);
  });

  it('waits out a short Retry-After on a provider-wide 503 before retrying', async () => {
    let n = 0;
    behave = (p) =>
      p === 'a' && n++ === 0
        ? {
            status: 503,
            headers: { 'retry-after-ms': '150' },
            json: openAiError('overloaded', 'server_error'),
          }
        : { json: completion(`from ${p}`) };
    const started = Date.now();
    const { response } = await h.client.chat.completions
      .create({ model: 'primary', messages: user })
      .withResponse();
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'a');
    assert.ok(Date.now() - started >= 140, 'the retry waited for retry-after-ms');
  });

  it('goes to the fallback when a provider cannot be reached', async () => {
    const { response } = await h.client.chat.completions
      .create({ model: 'unreachable', messages: user })
      .withResponse();
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'b');
  });

  it('answers 503 without the address when nothing can be reached', async () => {
    const res = await h.postChat({ model: 'dead/x', messages: user });
    const text = await res.body.text();
    assert.equal(res.statusCode, 503);
    assert.match(text, /KW_ERR_AI_NO_PROVIDER/);
    assert.ok(!text.includes(String(dead)), text);
  });
});
