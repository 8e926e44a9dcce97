/**
 * The mock provider (`type: mock`) through a real gateway, with the official SDKs: it needs no key, answers
 * deterministically (echo, or the configured reply), streams in several chunks, reports usage (so cost is
 * recorded), and fails on request — `mock-error-<status>`, `mock-error-stream` — so that retries,
 * fallbacks and error answers can be shown without any provider account. Also the shape the README's AI
 * walkthrough uses, `ai_providers: [{name: mock, type: mock}]`, through the control layer's checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createConfigService } from '../../../control/config-service.js';
import { sqliteStore } from '../../../../test/helpers/sqlite-store.js';
import { startGateway, type TestGateway } from '../../../../test/helpers/gateway.js';
import { aiState, recording } from '../../../../test/ai/openai-fixtures.js';
import { countTokens } from '../../tokens.js';
import { mockAnswer, splitReply } from './answers.js';

const PRICE = { model: 'mock-echo', input: 1000, output: 2000 };

describe('the mock AI provider', () => {
  const records = recording();
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    gw = await startGateway(
      aiState({
        providers: [
          { name: 'mock', type: 'mock', prices: [PRICE] },
          { name: 'canned', type: 'mock', headers: { 'x-mock-reply': 'positive' } },
        ],
        models: [
          { name: 'fast', targets: [{ provider: 'mock', model: 'mock-echo' }] },
          { name: 'limited', targets: [{ provider: 'mock', model: 'mock-error-429' }] },
          { name: 'down', targets: [{ provider: 'mock', model: 'mock-error-500' }], fallbacks: ['fast'] },
          { name: 'busy', targets: [{ provider: 'mock', model: 'mock-error-429' }], fallbacks: ['fast'] },
        ],
      }),
      { observer: records.observer },
    );
    client = new OpenAI({ apiKey: 'unused', baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    records.close();
  });

  it('echoes the last user message with usage, priced like any provider, and no key', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'fast',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello, gateway!' },
        ],
      })
      .withResponse();
    assert.equal(data.choices[0]?.message.content, 'Hello, gateway!');
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.equal(data.model, 'fast');
    assert.equal(data.system_fingerprint, 'keyway-mock', 'says it is the mock');
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'mock');
    assert.equal(response.headers.get('x-keyway-ai-model'), 'mock-echo');
    assert.equal(data.usage?.completion_tokens, countTokens('Hello, gateway!'));
    assert.ok((data.usage?.prompt_tokens ?? 0) > 0);

    const r = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(r.provider, 'mock');
    assert.equal(r.tokens_in, data.usage?.prompt_tokens);
    assert.equal(
      r.cost,
      Math.round((r.tokens_in ?? 0) * PRICE.input + (r.tokens_out ?? 0) * PRICE.output) / 1e6,
    );
  });

  it('answers the reply configured on the provider (x-mock-reply)', async () => {
    const data = await client.chat.completions.create({
      model: 'canned/anything',
      messages: [{ role: 'user', content: 'The release fixed everything, thanks!' }],
    });
    assert.equal(data.choices[0]?.message.content, 'positive');
  });

  it('streams the answer in several chunks, usage last when asked', async () => {
    const text = 'one two three four five six';
    const stream = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: text }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      const piece = c.choices[0]?.delta.content;
      if (piece) pieces.push(piece);
      usage = c.usage ?? usage;
    }
    assert.ok(pieces.length >= 6, `${pieces.length} chunks`);
    assert.equal(pieces.join(''), text);
    assert.equal(usage?.completion_tokens, countTokens(text));
  });

  it('fails on request: mock-error-429 is a RateLimitError with Retry-After, mock-error-500 a 502', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'limited', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.RateLimitError, String(err));
        assert.equal(err.code, 'KW_ERR_AI_PROVIDER');
        assert.match(err.message, /simulated 429/);
        assert.equal(err.headers?.get('retry-after'), '1');
        return true;
      },
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'mock/mock-error-500',
        messages: [{ role: 'user', content: 'x' }],
      }),
      (err: unknown) => err instanceof OpenAI.InternalServerError && err.status === 502,
    );
  });

  it('shows fallbacks: a failing model hands over to its fallback, call after call (nothing cools)', async () => {
    for (const model of ['down', 'busy', 'busy', 'down']) {
      const { data, response } = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'still there?' }] })
        .withResponse();
      assert.equal(data.choices[0]?.message.content, 'still there?', model);
      assert.equal(response.headers.get('x-keyway-ai-model'), 'mock-echo', model);
      assert.equal(data.model, model, 'the body keeps the model asked for');
    }
  });

  it('mock-error-stream breaks a stream after its first chunk: the SDK raises KW_ERR_AI_STREAM_BROKEN', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock/mock-error-stream',
      messages: [{ role: 'user', content: 'never finished' }],
      stream: true,
    });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
      })(),
      (err: unknown) =>
        err instanceof OpenAI.APIError && /KW_ERR_AI_STREAM_BROKEN|stream broke/.test(err.message),
    );
    assert.equal(seen.join(''), 'never ');
  });

  it('serves /v1/messages and embeddings too', async () => {
    const claude = new Anthropic({ apiKey: 'unused', baseURL: gw.url, maxRetries: 0 });
    const msg = await claude.messages.create({
      model: 'fast',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Bonjour' }],
    });
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Bonjour' }]);
    assert.ok(msg.usage.output_tokens > 0);

    const a = await client.embeddings.create({
      model: 'mock/mock-embed',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    const b = await client.embeddings.create({
      model: 'mock/mock-embed',
      input: 'a',
      encoding_format: 'float',
    });
    assert.equal(a.data.length, 2);
    assert.deepEqual(b.data[0]?.embedding, a.data[0]?.embedding, 'deterministic');
    assert.notDeepEqual(a.data[0]?.embedding, a.data[1]?.embedding);
  });

  it('answers pure functions of the request: unknown endpoints 404, long replies in at most 64 chunks', () => {
    assert.equal(mockAnswer({ method: 'GET', path: '/v1/models', headers: {}, body: '' }).status, 404);
    const long = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ');
    const pieces = splitReply(long);
    assert.ok(pieces.length <= 64);
    assert.equal(pieces.join(''), long);
  });

  it('is accepted as the README writes it: {name: mock, type: mock}, no key, no base_url', async () => {
    const { store, cleanup } = await sqliteStore();
    try {
      const config = createConfigService(store);
      const result = await config.apply(
        {
          _format_version: '1',
          ai_providers: [{ name: 'mock', type: 'mock' }],
          ai_models: [
            { name: 'fast', targets: [{ provider: 'mock', model: 'mock-echo' }] },
            { name: 'smart', targets: [{ provider: 'mock', model: 'mock-error-500' }], fallbacks: ['fast'] },
          ],
          services: [
            {
              name: 'ai',
              url: 'ai://gateway',
              plugins: [{ name: 'ai-proxy' }],
              routes: [{ name: 'ai', paths: ['/ai'] }],
            },
          ],
        },
        { dryRun: false, actor: { name: 'test' } },
      );
      assert.ok(result.changes.length >= 4, JSON.stringify(result.changes));
    } finally {
      await cleanup();
    }
  });
});
