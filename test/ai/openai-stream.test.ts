/**
 * Streamed Chat Completions through the gateway with the official `openai` SDK: chunks pass as the
 * provider sends them (the first reaches the caller before the provider sends the second), usage is
 * always requested upstream but only forwarded when the caller asked, tool-call deltas pass, and a
 * stream that breaks ends with an error the SDK raises — never a hung connection.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { gate } from '../helpers/fake-llm.js';
import { aiHarness, drain, Drained } from './harness.js';
import { aiState, chunk, completion, recording, textStream, usageChunk } from './openai-fixtures.js';

describe('OpenAI chat completions (streamed)', () => {
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
            prices: [{ model: 'gpt-4o-mini', input: 150, output: 600 }],
          },
          // A server that never reports usage (an older vLLM, a llama.cpp server).
          { name: 'local', type: 'openai_compatible', base_url: `${fake.url}/local/v1` },
        ],
        models: [{ name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
      }),
    gateway: { observer: records.observer },
  });
  after(() => records.close());

  it('streams content; asks the provider for usage but forwards it only when asked', async () => {
    h.fake.queue({ sse: textStream(['Hel', 'lo', '!'], [9, 3]) });
    const { data: stream, response } = await h.client.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'oa');
    assert.equal(response.headers.get('x-keyway-ai-model'), 'gpt-4o-mini');
    const { chunks: seen } = await drain(stream);
    assert.equal(seen.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Hello!');
    assert.equal(seen.at(-1)?.choices[0]?.finish_reason, 'stop');
    assert.ok(
      seen.every((c) => c.choices.length === 1 && c.usage === undefined),
      'no usage chunk forwarded',
    );
    assert.ok(seen.every((c) => c.model === 'smart'));
    const sent = h.fake.requests[0]?.json as Record<string, unknown>;
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.stream_options, { include_usage: true });
    assert.equal(h.fake.requests[0]?.headers.accept, 'text/event-stream');

    const record = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(record.tokens_in, 9);
    assert.equal(record.tokens_out, 3);
    assert.equal(record.cost, (9 * 150 + 3 * 600) / 1e6);
  });

  it('forwards the usage chunk last when the caller asks with stream_options.include_usage', async () => {
    h.fake.queue({ sse: textStream(['a', 'b'], [7, 2]) });
    const stream = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks: seen } = await drain(stream);
    const last = seen.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.equal(last?.usage?.prompt_tokens, 7);
    assert.equal(last?.usage?.completion_tokens, 2);
    assert.ok(
      seen.slice(0, -1).every((c) => c.usage === null),
      'usage: null on the other chunks, as OpenAI',
    );
  });

  it('ends the stream with data: [DONE]', async () => {
    h.fake.queue({ sse: textStream(['x']) });
    const res = await h.postChat({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const text = await res.body.text();
    assert.ok(text.endsWith('data: [DONE]\n\n'), text);
    assert.equal(text.split('data: ').length - 1, 4, 'role, content, finish, [DONE]');
  });

  it('sends the first chunk before the provider sends the second', { timeout: 5000 }, async () => {
    const g = gate();
    h.fake.queue({
      sse: [
        { data: chunk({ role: 'assistant', content: 'first' }) },
        { gate: g.promise },
        { data: chunk({ content: ' second' }) },
        { data: chunk({}, 'stop') },
        { data: usageChunk(3, 2) },
        { data: '[DONE]' },
      ],
    });
    const stream = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    // Had the gateway waited for more, the stream would never deliver "first" and the test would time out.
    const { text } = await drain(stream, g.open);
    assert.equal(text, 'first second');
  });

  it('streams tool-call deltas', async () => {
    h.fake.queue({
      sse: [
        {
          data: chunk({
            role: 'assistant',
            content: null,
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          }),
        },
        { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) },
        { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) },
        { data: chunk({}, 'tool_calls') },
        { data: usageChunk(20, 8) },
        { data: '[DONE]' },
      ],
    });
    const stream = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      stream: true,
    });
    const { tools, finish } = await drain(stream);
    assert.equal(tools[0]?.name, 'get_weather');
    assert.equal(tools[0]?.args, '{"city":"Paris"}');
    assert.equal(finish, 'tool_calls');
  });

  it('counts usage itself when the server never sends any, and reports it when asked', async () => {
    h.fake.queue({ sse: textStream(['one ', 'two ', 'three'], null) });
    const { data: stream, response } = await h.client.chat.completions
      .create({
        model: 'local/llama-3.1-8b',
        messages: [{ role: 'user', content: 'count to three' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    const { chunks: seen } = await drain(stream);
    const usage = seen.at(-1)?.usage;
    assert.ok(usage !== undefined && usage !== null);
    assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert.equal(h.fake.requests[0]?.url, '/local/v1/chat/completions');
    assert.equal(h.fake.requests[0]?.headers.authorization, undefined, 'no key, no Authorization');
    const record = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(record.tokens_out, usage.completion_tokens);
    assert.equal(record.cost, null, 'no price, no cost');
  });

  it('replays a whole JSON answer as a stream when the server ignores stream: true', async () => {
    h.fake.queue({ json: completion('not streamed', { usage: { prompt_tokens: 4, completion_tokens: 2 } }) });
    const stream = await h.client.chat.completions.create({
      model: 'local/llama-3.1-8b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks: seen } = await drain(stream);
    assert.equal(seen[0]?.choices[0]?.delta.content, 'not streamed');
    assert.equal(seen[0]?.choices[0]?.finish_reason, 'stop');
    assert.equal(seen.at(-1)?.usage?.completion_tokens, 2);
  });

  it('ends a stream the provider cuts with an error event the SDK raises', { timeout: 5000 }, async () => {
    const g = gate();
    h.fake.queue({
      sse: [{ data: chunk({ role: 'assistant', content: 'partial' }) }, { gate: g.promise }, { cut: true }],
    });
    const { data: stream, response } = await h.client.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    const got = new Drained();
    await assert.rejects(drain(stream, g.open, got), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal((err.error as { code?: string }).code, 'KW_ERR_AI_STREAM_BROKEN');
      return true;
    });
    assert.deepEqual(
      got.chunks.map((c) => c.choices[0]?.delta.content ?? ''),
      ['partial'],
    );
    const record = await records.recordFor(response.headers.get('x-request-id') ?? '');
    assert.equal(record.error_code, 'KW_ERR_AI_STREAM_BROKEN');
    assert.ok((record.tokens_out ?? 0) > 0, 'what was generated is accounted');
  });

  it('ends a stream with a malformed event the same way', { timeout: 5000 }, async () => {
    h.fake.queue({ sse: [{ data: chunk({ role: 'assistant', content: 'ok' }) }, { data: '{"choices": [' }] });
    const res = await h.postChat({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const text = await res.body.text();
    const events = text.trim().split('\n\n');
    const last = JSON.parse(events.at(-1)?.slice('data: '.length) ?? '') as {
      error: Record<string, unknown>;
    };
    assert.equal(last.error.code, 'KW_ERR_AI_STREAM_BROKEN');
    assert.match(String(last.error.message), /malformed event/);
    assert.ok(!text.includes('[DONE]'));
  });

  it('passes an error event the provider sends mid-stream on as a broken stream, without secrets', async () => {
    h.fake.queue({
      sse: [
        { data: chunk({ role: 'assistant', content: 'x' }) },
        { data: { error: { message: 'Internal error with key sk-test-secret-0001', type: 'server_error' } } },
      ],
    });
    const res = await h.postChat({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const text = await res.body.text();
    assert.ok(text.includes('KW_ERR_AI_STREAM_BROKEN'));
    assert.ok(!text.includes('sk-test-secret-0001'), text);
  });

  it('treats a stream that ends without a finish reason as broken', async () => {
    h.fake.queue({ sse: [{ data: chunk({ role: 'assistant', content: 'half' }) }] });
    const res = await h.postChat({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const text = await res.body.text();
    assert.match(text, /KW_ERR_AI_STREAM_BROKEN/);
    assert.match(text, /before the response was complete/);
  });
});
