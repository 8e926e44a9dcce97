/**
 * `/v1/messages` end to end with the official `@anthropic-ai/sdk`: a real gateway (key-auth accepting
 * `x-api-key` as well as a bearer, ai-proxy, the real engine) in front of a fake Anthropic provider and a
 * fake OpenAI provider. Non-streamed and streamed answers, tools both ways, a stream translated event by
 * event (the first text delta reaches the SDK while the provider still holds the rest), a broken
 * provider stream ending in an `error` event, and errors in Anthropic's format.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { gate, type RecordedRequest } from '../helpers/fake-llm.js';
import {
  anthropicCutStream,
  anthropicError,
  anthropicMessage,
  anthropicTextStream,
} from './anthropic-fixtures.js';
import { aiHarness } from './harness.js';
import { aiState, chunk, completion, usageChunk } from './openai-fixtures.js';

const ANTHROPIC_SECRET = 'sk-ant-provider-secret-0001';
const OPENAI_SECRET = 'sk-openai-provider-secret-0001';

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('/v1/messages with the Anthropic SDK', () => {
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'an',
            type: 'anthropic',
            base_url: `${fake.url}/anthropic`,
            keys: [{ id: 'k1', secret: ANTHROPIC_SECRET }],
          },
          {
            name: 'oa',
            type: 'openai',
            base_url: `${fake.url}/openai/v1`,
            keys: [{ id: 'k1', secret: OPENAI_SECRET }],
          },
        ],
        models: [
          { name: 'claude', targets: [{ provider: 'an', model: 'claude-sonnet-4-5' }], retries: 0 },
          { name: 'gpt', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }], retries: 0 },
        ],
        consumers: [{ username: 'acme' }],
        apps: [{ name: 'acme-app', consumer: 'acme' }],
        // Anthropic clients send the key as `x-api-key` (older SDKs, curl) or as a bearer (current SDK).
        plugins: [{ name: 'key-auth', service: 'ai', config: { key_names: ['apikey', 'x-api-key'] } }],
      }),
    gateway: { services: { apiKeys: resolver } },
  });
  let client: Anthropic;
  let keywayKey: string;
  before(() => {
    keywayKey = keys.issue(h.config.workspaces[0]?.apps[0]?.id ?? '').key;
    client = new Anthropic({ apiKey: keywayKey, baseURL: h.gw.url, maxRetries: 0 });
  });

  /** The provider never sees the caller's Keyway key, only its own. */
  function assertProviderCredentials(rec: RecordedRequest | undefined, secret: string): void {
    assert.ok(rec !== undefined);
    const values = Object.values(rec.headers).flat().join('\n');
    assert.ok(!values.includes(keywayKey), 'the Keyway key reached the provider');
    assert.ok(values.includes(secret));
  }

  describe('to an Anthropic provider', () => {
    it('answers a message, passing system, sampling and stop sequences through', async () => {
      h.fake.queue({
        json: anthropicMessage([{ type: 'text', text: 'Bonjour !' }], {
          usage: { input_tokens: 21, output_tokens: 4, cache_read_input_tokens: 5 },
        }),
      });
      const { data: msg, response } = await client.messages
        .create({
          model: 'claude',
          max_tokens: 300,
          system: 'Answer in French.',
          stop_sequences: ['###'],
          messages: [{ role: 'user', content: 'Hello' }],
          metadata: { user_id: 'user-7' },
        })
        .withResponse();
      assert.equal(response.headers.get('x-keyway-ai-provider'), 'an');
      assert.equal(response.headers.get('x-keyway-ai-model'), 'claude-sonnet-4-5');
      assert.match(msg.id, /^msg_/);
      assert.equal(msg.type, 'message');
      assert.equal(msg.model, 'claude');
      assert.deepEqual(msg.content, [{ type: 'text', text: 'Bonjour !' }]);
      assert.equal(msg.stop_reason, 'end_turn');
      assert.deepEqual(msg.usage, {
        input_tokens: 21,
        output_tokens: 4,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 5,
      });

      const rec = h.fake.requests[0];
      assert.equal(rec?.url, '/anthropic/v1/messages');
      assert.equal(rec?.headers['x-api-key'], ANTHROPIC_SECRET);
      assert.equal(rec?.headers['anthropic-version'], '2023-06-01');
      assertProviderCredentials(rec, ANTHROPIC_SECRET);
      assert.deepEqual(rec?.json, {
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
        max_tokens: 300,
        system: [{ type: 'text', text: 'Answer in French.' }],
        stop_sequences: ['###'],
        metadata: { user_id: 'user-7' },
      });
    });

    it('streams event by event: the first text delta arrives while the provider holds the rest', async () => {
      const held = gate();
      h.fake.queue({
        sse: anthropicTextStream(['Hel', 'lo', ' world'], { gate: held.promise, usage: [30, 3] }),
      });
      const stream = await client.messages.create({
        model: 'claude',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Say hello' }],
        stream: true,
      });
      const types: string[] = [];
      let text = '';
      let usage: unknown;
      let stopReason: string | null = null;
      for await (const ev of stream) {
        types.push(ev.type);
        if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          // Reaching here before the gate opens proves nothing was buffered behind the first token.
          if (text === '') held.open();
          text += ev.delta.text;
        }
        if (ev.type === 'message_delta') {
          usage = ev.usage;
          stopReason = ev.delta.stop_reason;
        }
      }
      assert.equal(text, 'Hello world');
      assert.equal(stopReason, 'end_turn');
      assert.deepEqual(types, [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      assert.deepEqual(usage, {
        input_tokens: 30,
        output_tokens: 3,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      });
      assert.equal((h.fake.requests[0]?.json as { stream?: boolean }).stream, true);
    });

    it('runs a tool round trip: tool_use out, tool_result back in', async () => {
      h.fake.queue({
        json: anthropicMessage([
          { type: 'text', text: 'Let me check.' },
          {
            type: 'tool_use',
            id: 'toolu_01A09q90qw90lq917835lq9',
            name: 'get_weather',
            input: { city: 'Paris' },
          },
        ]),
      });
      const first = await client.messages.create({
        model: 'claude',
        max_tokens: 200,
        tools: [weatherTool],
        tool_choice: { type: 'auto' },
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      });
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((b) => b.type === 'tool_use');
      assert.deepEqual(use, {
        type: 'tool_use',
        id: 'toolu_01A09q90qw90lq917835lq9',
        name: 'get_weather',
        input: { city: 'Paris' },
      });

      h.fake.queue({ json: anthropicMessage([{ type: 'text', text: 'It is 18°C.' }]) });
      const second = await client.messages.create({
        model: 'claude',
        max_tokens: 200,
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '18°C' }],
          },
        ],
      });
      assert.deepEqual(second.content, [{ type: 'text', text: 'It is 18°C.' }]);
      const sent = h.fake.requests[1]?.json as { messages: unknown[]; tools: unknown[] };
      assert.deepEqual(sent.messages, [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            {
              type: 'tool_use',
              id: 'toolu_01A09q90qw90lq917835lq9',
              name: 'get_weather',
              input: { city: 'Paris' },
            },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '18°C' }],
        },
      ]);
      assert.deepEqual(sent.tools, [weatherTool]);
    });

    it('a provider stream that breaks ends with an error event and the connection closes', async () => {
      const delivered = gate();
      h.fake.queue({ sse: anthropicCutStream('Hal', delivered.promise) });
      const res = await request(`${h.gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keywayKey },
        body: JSON.stringify({
          model: 'claude',
          max_tokens: 50,
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      assert.equal(res.statusCode, 200);
      let text = '';
      // The loop ends only once the gateway ended the response: a hung connection would hang here.
      for await (const piece of res.body) {
        text += (piece as Buffer).toString('utf8');
        if (text.includes('text_delta')) delivered.open();
      }
      const events = text
        .trim()
        .split('\n\n')
        .map((block) => block.split('\n')[0]?.replace('event: ', ''));
      assert.deepEqual(events, ['message_start', 'content_block_start', 'content_block_delta', 'error']);
      const last = text.trim().split('\n\n').at(-1) ?? '';
      const error = JSON.parse(last.split('\n')[1]?.replace('data: ', '') ?? '{}') as {
        type: string;
        error: { type: string; code: string };
      };
      assert.equal(error.type, 'error');
      assert.equal(error.error.code, 'KW_ERR_AI_STREAM_BROKEN');

      // The SDK raises it as an error rather than hanging or returning a partial message.
      const again = gate();
      h.fake.queue({ sse: anthropicCutStream('Hal', again.promise) });
      const stream = client.messages.stream({
        model: 'claude',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hi' }],
      });
      stream.on('text', () => again.open());
      await assert.rejects(
        stream.finalMessage(),
        (err: unknown) =>
          err instanceof Error && /KW_ERR_AI_STREAM_BROKEN|stream broke/.test(String(err.message)),
      );
    });

    it('passes a provider refusal on in Anthropic’s error format', async () => {
      h.fake.queue({
        status: 400,
        json: anthropicError('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'),
      });
      await assert.rejects(
        client.messages.create({
          model: 'claude',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'long' }],
        }),
        (err: unknown) => {
          assert.ok(err instanceof Anthropic.BadRequestError);
          const body = err.error as { type: string; error: { type: string; message: string; code: string } };
          assert.equal(body.type, 'error');
          assert.equal(body.error.type, 'invalid_request_error');
          assert.equal(body.error.code, 'KW_ERR_AI_PROVIDER');
          assert.match(body.error.message, /prompt is too long/);
          return true;
        },
      );
    });
  });

  describe('to an OpenAI provider', () => {
    it('translates tools and tool calls both ways', async () => {
      h.fake.queue({
        json: completion(null, {
          toolCalls: [{ id: 'call_Dn2RJJSxzDm4vXsl', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
          usage: { prompt_tokens: 60, completion_tokens: 15 },
        }),
      });
      const msg = await client.messages.create({
        model: 'gpt',
        max_tokens: 150,
        system: [{ type: 'text', text: 'Be brief.' }],
        tools: [weatherTool],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      });
      assert.equal(msg.stop_reason, 'tool_use');
      assert.deepEqual(msg.content, [
        { type: 'tool_use', id: 'call_Dn2RJJSxzDm4vXsl', name: 'get_weather', input: { city: 'Oslo' } },
      ]);
      assert.deepEqual(msg.usage, {
        input_tokens: 60,
        output_tokens: 15,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      });

      const rec = h.fake.requests[0];
      assert.equal(rec?.url, '/openai/v1/chat/completions');
      assert.equal(rec?.headers['authorization'], `Bearer ${OPENAI_SECRET}`);
      assertProviderCredentials(rec, OPENAI_SECRET);
      assert.deepEqual(rec?.json, {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Oslo?' },
        ],
        max_completion_tokens: 150,
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather in a city',
              parameters: weatherTool.input_schema,
            },
          },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
      });
    });

    it('streams text and a tool call as Anthropic content blocks', async () => {
      const held = gate();
      h.fake.queue({
        sse: [
          { data: chunk({ role: 'assistant', content: '' }) },
          { data: chunk({ content: 'Checking' }) },
          { gate: held.promise },
          { data: chunk({ content: ' now.' }) },
          {
            data: chunk({
              tool_calls: [
                {
                  index: 0,
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '' },
                },
              ],
            }),
          },
          { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) },
          { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] }) },
          { data: chunk({}, 'tool_calls') },
          { data: usageChunk(44, 12) },
          { data: '[DONE]' },
        ],
      });
      const stream = client.messages.stream({
        model: 'gpt',
        max_tokens: 100,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather in Rome?' }],
      });
      stream.on('text', () => held.open());
      const msg = await stream.finalMessage();
      assert.deepEqual(msg.content, [
        { type: 'text', text: 'Checking now.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Rome' } },
      ]);
      assert.equal(msg.stop_reason, 'tool_use');
      assert.equal(msg.usage.input_tokens, 44);
      assert.equal(msg.usage.output_tokens, 12);
      const sent = h.fake.requests[0]?.json as { stream: boolean; stream_options: unknown };
      assert.equal(sent.stream, true);
      assert.deepEqual(sent.stream_options, { include_usage: true });
    });
  });

  describe('errors and credentials', () => {
    it('an unknown model is a not_found_error', async () => {
      await assert.rejects(
        client.messages.create({ model: 'nope', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
        (err: unknown) => {
          assert.ok(err instanceof Anthropic.NotFoundError);
          assert.equal(
            (err.error as { error: { type: string; code: string } }).error.code,
            'KW_ERR_MODEL_NOT_FOUND',
          );
          assert.equal((err.error as { error: { type: string } }).error.type, 'not_found_error');
          return true;
        },
      );
    });

    it('a malformed request is a 400 naming the field, before any provider call', async () => {
      const res = await request(`${h.gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keywayKey },
        body: JSON.stringify({ model: 'claude', messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(res.statusCode, 400);
      const body = (await res.body.json()) as {
        type: string;
        error: { type: string; message: string; code: string };
      };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.code, 'KW_ERR_BAD_REQUEST');
      assert.match(body.error.message, /\/max_tokens/);
      assert.equal(h.fake.requests.length, 0);
    });

    it('takes the Keyway key as x-api-key too, and refuses a call without one', async () => {
      h.fake.queue({ json: anthropicMessage([{ type: 'text', text: 'ok' }]) });
      const ok = await request(`${h.gw.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': keywayKey,
          'anthropic-version': '2023-06-01',
        },
        body: JSON.stringify({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(((await ok.body.json()) as { type: string }).type, 'message');
      assertProviderCredentials(h.fake.requests[0], ANTHROPIC_SECRET);
      const anonymous = new Anthropic({ apiKey: 'not-a-keyway-key', baseURL: h.gw.url, maxRetries: 0 });
      await assert.rejects(
        anonymous.messages.create({
          model: 'claude',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
        }),
        (err: unknown) => err instanceof Anthropic.AuthenticationError,
      );
    });
  });
});
