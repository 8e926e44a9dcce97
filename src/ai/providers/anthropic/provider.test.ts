/**
 * The official `openai` SDK through Keyway to an Anthropic provider (a fake Anthropic on loopback): chat
 * non-streamed and streamed (event by event: the first token reaches the caller while the provider holds
 * the rest), tools both ways, JSON mode via the forced tool, usage with cache reads, and a provider that
 * breaks mid-stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type OpenAI from 'openai';
import { JSON_TOOL_NAME } from './json-mode.js';
import { gate } from '../../../../test/helpers/fake-llm.js';
import {
  anthropicCutStream,
  anthropicMessage,
  anthropicTextStream,
  anthropicToolStream,
} from '../../../../test/ai/anthropic-fixtures.js';
import { aiHarness, drain, Drained } from '../../../../test/ai/harness.js';
import { aiState } from '../../../../test/ai/openai-fixtures.js';

const SECRET = 'sk-ant-provider-secret-0002';

describe('OpenAI SDK → Anthropic provider', () => {
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'an',
            type: 'anthropic',
            base_url: fake.url,
            api_version: '2023-06-01',
            keys: [{ id: 'k1', secret: SECRET }],
            prices: [{ model: 'claude-haiku-4-5', input: 1, output: 5, cached_input: 0.1 }],
          },
        ],
        models: [{ name: 'claude', targets: [{ provider: 'an', model: 'claude-haiku-4-5' }], retries: 0 }],
      }),
  });

  it('answers a chat completion with Anthropic usage mapped (cache reads as cached tokens)', async () => {
    h.fake.queue({
      json: anthropicMessage([{ type: 'text', text: 'Hi there.' }], {
        usage: {
          input_tokens: 10,
          output_tokens: 3,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 90,
        },
      }),
    });
    const res = await h.client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be nice.' },
        { role: 'user', content: 'Hello' },
      ],
      max_completion_tokens: 64,
      stop: ['\n\n'],
    });
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.model, 'claude');
    assert.equal(res.choices[0]?.message.content, 'Hi there.');
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.equal(res.usage?.prompt_tokens, 100);
    assert.equal(res.usage?.completion_tokens, 3);
    assert.equal(res.usage?.prompt_tokens_details?.cached_tokens, 90);
    const rec = h.fake.requests[0];
    assert.equal(rec?.url, '/v1/messages');
    assert.equal(rec?.headers['x-api-key'], SECRET);
    assert.equal(rec?.headers['authorization'], undefined);
    assert.deepEqual(rec?.json, {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be nice.' }],
      stop_sequences: ['\n\n'],
    });
  });

  it('streams chunk by chunk: the first token arrives while the provider holds the rest', async () => {
    const held = gate();
    h.fake.queue({
      sse: anthropicTextStream(['Once', ' upon', ' a time'], { gate: held.promise, usage: [12, 4] }),
    });
    const stream = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Tell a story' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await drain(stream, held.open);
    assert.equal(text, 'Once upon a time');
    assert.equal(finish, 'stop');
    assert.equal(usage?.prompt_tokens, 12);
    assert.equal(usage?.completion_tokens, 4);
    assert.equal((h.fake.requests[0]?.json as { stream: boolean }).stream, true);
  });

  it('tools: calls come back as tool_calls and results go out as tool_result blocks', async () => {
    h.fake.queue({
      json: anthropicMessage([{ type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { q: 'keyway' } }]),
    });
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'lookup',
          description: 'Search',
          parameters: { type: 'object', properties: { q: { type: 'string' } } },
        },
      },
    ];
    const first = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Find keyway' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(call?.type === 'function' ? call.function.arguments : '', '{"q":"keyway"}');
    assert.deepEqual((h.fake.requests[0]?.json as { tool_choice: unknown }).tool_choice, {
      type: 'tool',
      name: 'lookup',
    });

    h.fake.queue({ json: anthropicMessage([{ type: 'text', text: 'An API gateway.' }]) });
    const second = await h.client.chat.completions.create({
      model: 'claude',
      tools,
      messages: [
        { role: 'user', content: 'Find keyway' },
        first.choices[0]?.message,
        { role: 'tool', tool_call_id: 'toolu_01', content: 'Keyway is an API gateway.' },
      ],
    });
    assert.equal(second.choices[0]?.message.content, 'An API gateway.');
    assert.deepEqual((h.fake.requests[1]?.json as { messages: unknown[] }).messages.slice(1), [
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { q: 'keyway' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'Keyway is an API gateway.' }],
      },
    ]);
  });

  it('streams a tool call as argument deltas', async () => {
    h.fake.queue({
      sse: anthropicToolStream('Searching.', {
        id: 'toolu_02',
        name: 'lookup',
        json: ['{"q":', ' "gateways"}'],
      }),
    });
    const stream = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Find gateways' }],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        },
      ],
      stream: true,
    });
    const { text, tools, finish } = await drain(stream);
    assert.equal(text, 'Searching.');
    assert.equal(tools[0]?.id, 'toolu_02');
    assert.equal(tools[0]?.args, '{"q": "gateways"}');
    assert.equal(finish, 'tool_calls');
  });

  it('JSON mode: a forced tool whose input is the message content', async () => {
    h.fake.queue({
      json: anthropicMessage([
        { type: 'tool_use', id: 'toolu_03', name: JSON_TOOL_NAME, input: { city: 'Paris', temp: 18 } },
      ]),
    });
    const res = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather as JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'weather',
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, temp: { type: 'number' } },
            required: ['city', 'temp'],
          },
        },
      },
    });
    assert.deepEqual(JSON.parse(res.choices[0]?.message.content ?? ''), { city: 'Paris', temp: 18 });
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.equal(res.choices[0]?.message.tool_calls, undefined);
    const sent = h.fake.requests[0]?.json as { tool_choice: unknown; tools: Array<{ name: string }> };
    assert.deepEqual(sent.tool_choice, { type: 'tool', name: JSON_TOOL_NAME });
    assert.equal(sent.tools[0]?.name, JSON_TOOL_NAME);
  });

  it('a provider stream cut mid-answer ends the caller’s stream with an error', async () => {
    const delivered = gate();
    h.fake.queue({ sse: anthropicCutStream('Par', delivered.promise) });
    const stream = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const got = new Drained();
    await assert.rejects(drain(stream, delivered.open, got), /stream broke|KW_ERR_AI_STREAM_BROKEN/);
    assert.equal(got.text, 'Par');
  });
});
