/**
 * Azure OpenAI through the gateway: deployment URLs with `api-version`, the `api-key` header, no `model`
 * in the body, the content-filter preamble chunk of Azure streams, `retry-after-ms` on 429, embeddings.
 * Wire shapes from https://learn.microsoft.com/azure/ai-foundry/openai/reference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { AZURE_DEFAULT_API_VERSION } from './azure.js';
import { aiHarness, drain } from '../../../test/ai/harness.js';
import { aiState, chunk, completion, openAiError, usageChunk } from '../../../test/ai/openai-fixtures.js';

const filterResults = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

describe('Azure OpenAI', () => {
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'az',
            type: 'azure',
            base_url: `${fake.url}/`,
            keys: [
              { id: 'k1', secret: '0123456789abcdef0123456789abcdef' },
              { id: 'k2', secret: 'fedcba9876543210fedcba9876543210' },
            ],
          },
          {
            name: 'az-preview',
            type: 'azure',
            base_url: fake.url,
            api_version: '2025-04-01-preview',
            keys: [{ id: 'k1', secret: '11112222333344445555666677778888' }],
          },
        ],
        models: [{ name: 'gpt', targets: [{ provider: 'az', model: 'my-gpt4o deployment' }] }],
      }),
  });

  it('calls the deployment URL with api-version and the api-key header', async () => {
    h.fake.queue({ json: completion('hi from azure') });
    const res = await h.client.chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(res.choices[0]?.message.content, 'hi from azure');
    const sent = h.fake.requests[0];
    assert.equal(
      sent?.url,
      `/openai/deployments/my-gpt4o%20deployment/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`,
    );
    assert.equal(sent?.headers['api-key'], '0123456789abcdef0123456789abcdef');
    assert.equal(sent?.headers.authorization, undefined);
    assert.equal(
      (sent?.json as Record<string, unknown>).model,
      undefined,
      'the deployment decides the model',
    );
  });

  it('uses the configured api_version', async () => {
    h.fake.queue({ json: completion('x') });
    await h.client.chat.completions.create({
      model: 'az-preview/gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(
      h.fake.requests[0]?.url,
      '/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview',
    );
  });

  it('streams past the content-filter preamble, with usage requested', async () => {
    h.fake.queue({
      sse: [
        {
          data: {
            choices: [],
            created: 0,
            id: '',
            model: '',
            object: '',
            prompt_filter_results: [{ prompt_index: 0, content_filter_results: filterResults }],
          },
        },
        { data: chunk({ role: 'assistant', content: '' }, null, { content_filter_results: {} }) },
        { data: chunk({ content: 'Hello' }, null, { content_filter_results: filterResults }) },
        { data: chunk({}, 'content_filter') },
        { data: usageChunk(5, 1) },
        { data: '[DONE]' },
      ],
    });
    const stream = await h.client.chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks: seen } = await drain(stream);
    assert.equal(seen.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Hello');
    assert.equal(seen.at(-2)?.choices[0]?.finish_reason, 'content_filter');
    assert.equal(seen.at(-1)?.usage?.prompt_tokens, 5);
    assert.equal(
      seen.at(-1)?.id,
      'chatcmpl-123',
      'the usage chunk carries the stream id, not the preamble one',
    );
    assert.deepEqual((h.fake.requests[0]?.json as Record<string, unknown>).stream_options, {
      include_usage: true,
    });
  });

  it('honours retry-after-ms on 429 and moves to the next key', async () => {
    h.fake.queue(
      {
        status: 429,
        headers: { 'retry-after-ms': '45000' },
        json: openAiError('Requests to the ChatCompletions_Create Operation have exceeded call rate limit.'),
      },
      { json: completion('second key') },
    );
    const res = await h.client.chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(res.choices[0]?.message.content, 'second key');
    assert.equal(h.fake.requests[1]?.headers['api-key'], 'fedcba9876543210fedcba9876543210');
    assert.ok(h.gw.caches.aiKeys.remaining('default', 'az', 'k1') > 40_000);
  });

  it('creates embeddings on the deployment', async () => {
    h.fake.queue({
      json: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.5, 0.25] }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      },
    });
    const res = await h.client.embeddings.create({ model: 'az/emb-deploy', input: 'hello' });
    assert.deepEqual(res.data[0]?.embedding, [0.5, 0.25]);
    assert.equal(
      h.fake.requests[0]?.url,
      `/openai/deployments/emb-deploy/embeddings?api-version=${AZURE_DEFAULT_API_VERSION}`,
    );
    // The SDK asks for base64 by default; a provider answering floats anyway is encoded by the gateway.
    assert.deepEqual(h.fake.requests[0]?.json, { input: 'hello', encoding_format: 'base64' });
  });

  it('masks Azure keys quoted in error messages', async () => {
    h.fake.queue({
      status: 400,
      json: openAiError('Bad request for key 0123456789abcdef0123456789abcdef', 'invalid_request_error'),
    });
    await assert.rejects(
      h.client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.ok(!err.message.includes('0123456789abcdef'), err.message);
        return true;
      },
    );
  });
});
