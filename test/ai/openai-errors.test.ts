/**
 * Bad input on the OpenAI endpoints: each becomes a clean OpenAI-style error object with a KW_ERR_* code
 * (what the SDK raises), before any provider is called.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { request } from 'undici';
import { startGateway } from '../helpers/gateway.js';
import { aiHarness } from './harness.js';
import { aiState, completion } from './openai-fixtures.js';

interface ErrorBody {
  error: { code: string; message: string; type: string; param: string | null };
  request_id: string;
}

describe('OpenAI endpoints: bad input', () => {
  const h = aiHarness({
    responder: () => ({ json: completion('never') }),
    config: (fake) =>
      aiState({
        providers: [
          { name: 'oa', type: 'openai', base_url: `${fake.url}/v1`, keys: [{ id: 'k', secret: 'sk-x' }] },
        ],
        models: [{ name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
        config: { max_body_bytes: 2048, models: ['smart', 'oa/*'] },
      }),
  });

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await request(`${h.gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as ErrorBody };
  };

  it('answers 404 KW_ERR_MODEL_NOT_FOUND for an unknown model', async () => {
    for (const model of ['nope', 'ghost/gpt-4o', 'oa/']) {
      await assert.rejects(
        h.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.NotFoundError, `${model}: ${String(err)}`);
          assert.equal((err.error as { code: string }).code, 'KW_ERR_MODEL_NOT_FOUND');
          return true;
        },
      );
    }
    assert.equal(h.fake.requests.length, 0);
  });

  it('answers 403 KW_ERR_MODEL_NOT_ALLOWED for a model the route does not serve', async () => {
    const gw2 = await startGateway(
      aiState({
        providers: [
          { name: 'oa', type: 'openai', base_url: `${h.fake.url}/v1`, keys: [{ id: 'k', secret: 'sk-x' }] },
        ],
        models: [{ name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
        config: { models: ['smart'] },
      }),
    );
    try {
      const c = new OpenAI({ apiKey: 'kw', baseURL: `${gw2.url}/v1`, maxRetries: 0 });
      await assert.rejects(
        c.chat.completions.create({ model: 'oa/gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
        (err: unknown) => err instanceof OpenAI.PermissionDeniedError,
      );
      assert.equal(h.fake.requests.length, 0);
    } finally {
      await gw2.close();
    }
  });

  it('answers 400 KW_ERR_BAD_REQUEST for malformed JSON', async () => {
    const res = await post('/v1/chat/completions', '{"model": "smart", "messages": [');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'KW_ERR_BAD_REQUEST');
    assert.equal(res.body.error.type, 'invalid_request_error');
    assert.ok(res.body.request_id);
  });

  it('names the offending field of a malformed request', async () => {
    const cases: Array<[unknown, string]> = [
      [{ messages: [{ role: 'user', content: 'x' }] }, '/model'],
      [{ model: 'smart', messages: [] }, '/messages'],
      [{ model: 'smart', messages: [{ role: 'wizard', content: 'x' }] }, '/messages/0/role'],
      [
        {
          model: 'smart',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'user', content: 42 },
          ],
        },
        '/messages/1/content',
      ],
      [{ model: 'smart', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, '/stream'],
      [{ model: 'smart', messages: [{ role: 'tool', content: 'x' }] }, '/messages/0/tool_call_id'],
      [
        { model: 'smart', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] },
        '/tools/0/function/name',
      ],
      [{ model: 'smart', messages: [{ role: 'user', content: 'x' }], tool_choice: 'always' }, '/tool_choice'],
      [
        { model: 'smart', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'yaml' } },
        '/response_format/type',
      ],
      [{ model: 'smart', messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 }, '/max_tokens'],
    ];
    for (const [body, param] of cases) {
      const res = await post('/v1/chat/completions', JSON.stringify(body));
      assert.equal(res.status, 400, param);
      assert.equal(res.body.error.code, 'KW_ERR_BAD_REQUEST');
      assert.equal(res.body.error.param, param);
    }
    const emb = await post('/v1/embeddings', JSON.stringify({ model: 'smart', input: [] }));
    assert.equal(emb.status, 400);
    assert.equal(emb.body.error.param, '/input');
    assert.equal(h.fake.requests.length, 0);
  });

  it('answers 413 KW_ERR_PROMPT_TOO_LARGE for a body over max_body_bytes', async () => {
    const big = JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    const res = await post('/v1/chat/completions', big);
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'KW_ERR_PROMPT_TOO_LARGE');
    assert.equal(h.fake.requests.length, 0);
  });

  it('answers 404 KW_ERR_AI_ENDPOINT for a path that is no endpoint', async () => {
    const res = await post('/v1/completions', '{}');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'KW_ERR_AI_ENDPOINT');
  });

  it('counts token-array embeddings input itself when the provider reports no usage', async () => {
    h.fake.queue({
      json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1, 2] }], model: 'e' },
    });
    const res = await h.client.embeddings.create({ model: 'oa/e', input: [[1, 2, 3]] });
    assert.equal(
      res.usage.prompt_tokens,
      3,
      'token-array input: its length is the count when the provider gives none',
    );
  });
});
