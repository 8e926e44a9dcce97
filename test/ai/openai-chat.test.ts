/**
 * Non-streamed Chat Completions, Embeddings and the model list through the gateway, driven by the
 * official `openai` SDK against a fake OpenAI: what the provider receives (model, key, passthrough of
 * tools, system prompt, stop, JSON schema), what the caller gets back (content, tool calls, finish
 * reasons, usage, the served-by headers) and what the call record says.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startGateway } from '../helpers/gateway.js';
import { aiHarness } from './harness.js';
import { aiState, completion, recording } from './openai-fixtures.js';

describe('OpenAI chat completions (non-streamed), embeddings, models', () => {
  const records = recording();
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'oa',
            type: 'openai',
            base_url: `${fake.url}/v1`,
            keys: [{ id: 'k1', secret: 'sk-test-secret-0001' }],
            headers: { 'OpenAI-Organization': 'org-keyway' },
            prices: [
              // Prices of a pricey model, so the test's few tokens cost more than the micro-dollar rounding.
              { model: 'gpt-4o-mini', input: 150, output: 600 },
              { model: 'text-embedding-3-small', input: 20, output: 0 },
            ],
          },
        ],
        models: [{ name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
      }),
    gateway: { observer: records.observer },
  });
  after(() => records.close());

  it('answers a chat through an alias: provider gets its model and key, caller gets served-by headers', async () => {
    h.fake.queue({ json: completion('Hello there!') });
    const { data, response } = await h.client.chat.completions
      .create({
        model: 'smart',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello' },
        ],
        stop: ['\n\n'],
        temperature: 0.2,
        max_tokens: 50,
      })
      .withResponse();
    assert.equal(data.choices[0]?.message.content, 'Hello there!');
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.equal(data.model, 'smart', 'the body names what the caller asked for');
    assert.equal(data.id, 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG', "the provider's id is kept");
    assert.deepEqual(data.usage?.prompt_tokens, 12);
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'oa');
    assert.equal(response.headers.get('x-keyway-ai-model'), 'gpt-4o-mini');
    assert.ok(response.headers.get('x-request-id'));

    const sent = h.fake.requests[0];
    assert.equal(sent?.method, 'POST');
    assert.equal(sent?.url, '/v1/chat/completions');
    assert.equal(sent?.headers.authorization, 'Bearer sk-test-secret-0001');
    assert.equal(sent?.headers['openai-organization'], 'org-keyway');
    const body = sent?.json as Record<string, unknown>;
    assert.equal(body.model, 'gpt-4o-mini');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hello' },
    ]);
    assert.deepEqual(body.stop, ['\n\n']);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_tokens, 50);
    assert.equal(body.stream_options, undefined, 'no stream options on a non-streamed call');

    const record = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(record.status, 200);
    assert.equal(record.model, 'gpt-4o-mini');
    assert.equal(record.provider, 'oa');
    assert.equal(record.tokens_in, 12);
    assert.equal(record.tokens_out, 5);
    assert.equal(record.cost, (12 * 150 + 5 * 600) / 1e6);
    assert.equal(record.upstream_status, 200);
    assert.equal(record.target, new URL(h.fake.url).host);
  });

  it('serves provider/model directly', async () => {
    h.fake.queue({ json: completion('direct') });
    const res = await h.client.chat.completions.create({
      model: 'oa/gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(res.choices[0]?.message.content, 'direct');
    assert.equal((h.fake.requests[0]?.json as { model: string }).model, 'gpt-4o-2024-08-06');
  });

  it('passes tool definitions and tool choice, returns tool calls, and carries tool results back', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
      },
    ];
    h.fake.queue({
      json: completion(null, {
        toolCalls: [{ id: 'call_abc123', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      }),
    });
    const first = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(first.choices[0]?.message.content, null);
    assert.equal(call?.type, 'function');
    assert.equal(call?.type === 'function' ? call.function.arguments : '', '{"city":"Paris"}');
    const sent = h.fake.requests[0]?.json as Record<string, unknown>;
    assert.deepEqual(sent.tools, tools);
    assert.deepEqual(sent.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(sent.parallel_tool_calls, false);

    h.fake.queue({ json: completion('18°C and sunny in Paris.') });
    const second = await h.client.chat.completions.create({
      model: 'smart',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_abc123',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_abc123', content: '{"temp":18,"sky":"sunny"}' },
      ],
      tools,
    });
    assert.equal(second.choices[0]?.message.content, '18°C and sunny in Paris.');
    const messages = (h.fake.requests[1]?.json as { messages: Array<Record<string, unknown>> }).messages;
    assert.equal(messages[1]?.role, 'assistant');
    assert.deepEqual(messages[2], {
      role: 'tool',
      tool_call_id: 'call_abc123',
      content: '{"temp":18,"sky":"sunny"}',
    });
  });

  it('passes JSON mode and JSON schema response formats through', async () => {
    const schema = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'sentiment',
        strict: true,
        schema: {
          type: 'object',
          properties: { label: { type: 'string', enum: ['positive', 'negative'] } },
          required: ['label'],
          additionalProperties: false,
        },
      },
    };
    h.fake.queue({ json: completion('{"label":"positive"}') });
    const res = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'I love it' }],
      response_format: schema,
    });
    assert.deepEqual(JSON.parse(res.choices[0]?.message.content ?? ''), { label: 'positive' });
    assert.deepEqual((h.fake.requests[0]?.json as Record<string, unknown>).response_format, schema);

    h.fake.queue({ json: completion('{}') });
    await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'json please' }],
      response_format: { type: 'json_object' },
    });
    assert.deepEqual((h.fake.requests[1]?.json as Record<string, unknown>).response_format, {
      type: 'json_object',
    });
  });

  it('passes finish reasons through: length, content_filter', async () => {
    h.fake.queue({ json: completion('truncat', { finish: 'length' }) });
    h.fake.queue({ json: completion(null, { finish: 'content_filter' }) });
    const a = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'x' }],
    });
    const b = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(a.choices[0]?.finish_reason, 'length');
    assert.equal(b.choices[0]?.finish_reason, 'content_filter');
  });

  it('counts tokens when the provider reports no usage, and says so in the response and record', async () => {
    h.fake.queue({ json: completion('one two three', { usage: null }) });
    const { data, response } = await h.client.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'count me please' }] })
      .withResponse();
    assert.ok((data.usage?.prompt_tokens ?? 0) > 0);
    assert.ok((data.usage?.completion_tokens ?? 0) > 0);
    const record = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(record.tokens_in, data.usage?.prompt_tokens);
    assert.equal(record.tokens_out, data.usage?.completion_tokens);
  });

  it('creates embeddings', async () => {
    h.fake.queue({
      json: {
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: [0.0023064255, -0.009327292, 0.015797347] },
          { object: 'embedding', index: 1, embedding: [0.1, 0.2, 0.3] },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 8, total_tokens: 8 },
      },
    });
    const { data: res, response } = await h.client.embeddings
      .create({
        model: 'oa/text-embedding-3-small',
        input: ['first text', 'second'],
        encoding_format: 'float',
      })
      .withResponse();
    assert.equal(res.data.length, 2);
    assert.deepEqual(res.data[1]?.embedding, [0.1, 0.2, 0.3]);
    assert.equal(res.usage.prompt_tokens, 8);
    assert.equal(res.model, 'oa/text-embedding-3-small');
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'oa');
    const sent = h.fake.requests[0];
    assert.equal(sent?.url, '/v1/embeddings');
    assert.deepEqual(sent?.json, {
      model: 'text-embedding-3-small',
      input: ['first text', 'second'],
      encoding_format: 'float',
    });
    const record = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(record.tokens_in, 8);
    assert.equal(record.tokens_out, 0);
    assert.equal(record.cost, (8 * 20) / 1e6);
  });

  it('lists aliases and priced provider models in the OpenAI list format', async () => {
    const list = await h.client.models.list();
    const ids = list.data.map((m) => m.id);
    assert.deepEqual(ids, ['smart', 'oa/gpt-4o-mini', 'oa/text-embedding-3-small']);
    assert.equal(list.data[0]?.object, 'model');
    assert.equal(list.data[1]?.owned_by, 'oa');
  });
});

describe('the model list follows the route policy', () => {
  it('shows only the models the ai-proxy config allows', async () => {
    const gw = await startGateway(
      aiState({
        providers: [
          {
            name: 'oa',
            type: 'openai',
            keys: [{ id: 'k1', secret: 'sk-x' }],
            prices: [
              { model: 'gpt-4o', input: 2.5, output: 10 },
              { model: 'gpt-4o-mini', input: 0.15, output: 0.6 },
            ],
          },
        ],
        models: [
          { name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o' }] },
          { name: 'fast', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] },
        ],
        config: { models: ['fast', 'oa/gpt-4o-mini'] },
      }),
    );
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const list = await client.models.list();
      assert.deepEqual(
        list.data.map((m) => m.id),
        ['fast', 'oa/gpt-4o-mini'],
      );
    } finally {
      await gw.close();
    }
  });
});
