/**
 * The Anthropic adapter's pure mappings against wire fixtures written from the Messages API reference
 * (https://docs.anthropic.com/en/api/messages, …/messages-streaming, …/errors): what Keyway sends for a
 * canonical request, and what it makes of Anthropic's answers, stream events and errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeywayError } from '../../../core/errors.js';
import { anthropicAdapter } from '../anthropic.js';
import { JSON_TOOL_NAME } from './json-mode.js';
import type { AttemptTarget, ChatChunk, ChatRequest, StreamEvent } from '../../types.js';

const ids = { id: 'chatcmpl-test', created: 1_726_000_000, model: 'claude' };

function target(
  over: { baseUrl?: string; apiVersion?: string; headers?: Record<string, string> } = {},
): AttemptTarget {
  return {
    model: 'claude-sonnet-4-5',
    key: 'sk-ant-secret',
    provider: {
      name: 'an',
      type: 'anthropic',
      baseUrl: over.baseUrl ?? 'https://api.anthropic.com',
      apiVersion: over.apiVersion,
      headers: over.headers ?? {},
      timeoutMs: 60_000,
      cooldownMs: 30_000,
      adapter: anthropicAdapter,
      keys: [{ id: 'k1', secret: 'sk-ant-secret' }],
      prices: new Map(),
    },
  };
}

function body(req: ChatRequest, t = target()): Record<string, unknown> {
  return JSON.parse(anthropicAdapter.chatRequest(req, t).body ?? '{}') as Record<string, unknown>;
}

function streamOf(events: Array<{ event: string; data: unknown }>): ChatChunk[] {
  const tr = anthropicAdapter.chatStream(target(), ids);
  const out: ChatChunk[] = [];
  for (const e of events)
    out.push(...tr.push({ event: e.event, data: JSON.stringify(e.data) } satisfies StreamEvent));
  out.push(...tr.end());
  return out;
}

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('anthropic adapter: request', () => {
  it('calls /v1/messages with x-api-key and the default anthropic-version', () => {
    const call = anthropicAdapter.chatRequest(
      { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
      target(),
    );
    assert.equal(call.method, 'POST');
    assert.equal(call.url, 'https://api.anthropic.com/v1/messages');
    assert.equal(call.headers['x-api-key'], 'sk-ant-secret');
    assert.equal(call.headers['anthropic-version'], '2023-06-01');
    assert.equal(call.headers['content-type'], 'application/json');
    assert.equal(call.headers['authorization'], undefined);
  });

  it('takes api_version, extra headers, and a base_url that already ends in /v1', () => {
    const t = target({
      baseUrl: 'https://proxy.example/anthropic/v1',
      apiVersion: '2024-01-01',
      headers: { 'anthropic-beta': 'x-1' },
    });
    const call = anthropicAdapter.chatRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, t);
    assert.equal(call.url, 'https://proxy.example/anthropic/v1/messages');
    assert.equal(call.headers['anthropic-version'], '2024-01-01');
    assert.equal(call.headers['anthropic-beta'], 'x-1');
  });

  it('maps a whole conversation with system prompts, images, tool calls and tool results', () => {
    const req: ChatRequest = {
      model: 'smart',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in these two places?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/map.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'toolu_01',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'toolu_02', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: '18°C' },
        { role: 'tool', tool_call_id: 'toolu_02', content: [{ type: 'text', text: '4°C' }] },
        { role: 'user', content: 'Which is warmer?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Current weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stop: 'END',
      temperature: 0.2,
      top_p: 0.9,
      user: 'user-42',
      seed: 7,
    };
    assert.deepEqual(body(req), {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Use metric units.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in these two places?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/map.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_01', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_02', name: 'weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C' },
            { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: '4°C' }] },
            { type: 'text', text: 'Which is warmer?' },
          ],
        },
      ],
      stop_sequences: ['END'],
      // top_p is dropped next to temperature: current Claude models refuse both.
      temperature: 0.2,
      metadata: { user_id: 'user-42' },
      tools: [
        {
          name: 'weather',
          description: 'Current weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
  });

  it('maps max_completion_tokens, tool_choice variants, stream and Anthropic-only extras', () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'f' } }];
    const base = { model: 'x', messages: [{ role: 'user' as const, content: 'hi' }], tools };
    assert.deepEqual(body({ ...base, tool_choice: 'none' })['tool_choice'], { type: 'none' });
    assert.deepEqual(
      body({ ...base, tool_choice: { type: 'function', function: { name: 'f' } } })['tool_choice'],
      {
        type: 'tool',
        name: 'f',
      },
    );
    assert.equal(body({ ...base, tool_choice: 'auto' })['tool_choice'], undefined);
    assert.deepEqual((body(base)['tools'] as unknown[])[0], {
      name: 'f',
      input_schema: { type: 'object', properties: {} },
    });
    const b = body({
      ...base,
      max_completion_tokens: 50,
      max_tokens: 10,
      stream: true,
      top_p: 0.5,
      top_k: 40,
    });
    assert.equal(b['max_tokens'], 50);
    assert.equal(b['stream'], true);
    assert.equal(b['top_p'], 0.5);
    assert.equal(b['top_k'], 40);
  });

  it('turns response_format into a forced JSON tool', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const b = body({
      model: 'x',
      messages: [{ role: 'user', content: 'count' }],
      response_format: { type: 'json_schema', json_schema: { name: 'count', schema } },
    });
    assert.deepEqual(b['tool_choice'], { type: 'tool', name: JSON_TOOL_NAME });
    const tools = b['tools'] as Array<Record<string, unknown>>;
    assert.equal(tools.length, 1);
    assert.equal(tools[0]?.['name'], JSON_TOOL_NAME);
    assert.deepEqual(tools[0]?.['input_schema'], schema);
    const obj = body({
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_object' },
    });
    assert.deepEqual((obj['tools'] as Array<Record<string, unknown>>)[0]?.['input_schema'], {
      type: 'object',
      properties: {},
      additionalProperties: true,
    });
    // With tools of its own the model must call some tool: a real one or the JSON answer.
    const both = body({
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: { type: 'json_object' },
    });
    assert.deepEqual(both['tool_choice'], { type: 'any' });
  });

  it('refuses what Anthropic cannot express, naming the field', () => {
    const cases: Array<[ChatRequest, RegExp]> = [
      [{ model: 'x', messages: [{ role: 'user', content: 'hi' }], n: 2 }, /n > 1/],
      [
        {
          model: 'x',
          messages: [
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{oops' } }],
            },
          ],
        },
        /messages\[0\]\.tool_calls\[0\]\.function\.arguments is not valid JSON/,
      ],
      [{ model: 'x', messages: [{ role: 'tool', content: 'r' }] }, /messages\[0\]\.tool_call_id is required/],
      [
        {
          model: 'x',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }],
        },
        /messages\[0\]\.content\[0\]\.image_url\.url/,
      ],
    ];
    for (const [req, message] of cases)
      assert.throws(
        () => anthropicAdapter.chatRequest(req, target()),
        (err: unknown) =>
          isKeywayError(err) && err.code === 'KW_ERR_BAD_REQUEST' && message.test(err.message),
      );
  });
});

describe('anthropic adapter: response', () => {
  it('maps text, tool_use blocks, stop reason and usage with cache reads', () => {
    const res = anthropicAdapter.chatResponse(
      {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'text', text: 'Let me check ' },
          { type: 'text', text: 'the weather.' },
          {
            type: 'tool_use',
            id: 'toolu_01A09q90qw90lq917835lq9',
            name: 'weather',
            input: { city: 'Paris' },
          },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: 100,
          cache_creation_input_tokens: 20,
          cache_read_input_tokens: 300,
          output_tokens: 42,
        },
      },
      target(),
      ids,
    );
    assert.deepEqual(res, {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_726_000_000,
      model: 'claude',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check the weather.',
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 420,
        completion_tokens: 42,
        total_tokens: 462,
        prompt_tokens_details: { cached_tokens: 300 },
      },
    });
  });

  it('maps every stop reason', () => {
    const finish = (stop: string) =>
      anthropicAdapter.chatResponse(
        {
          type: 'message',
          content: [{ type: 'text', text: 'x' }],
          stop_reason: stop,
          usage: { input_tokens: 1, output_tokens: 1 },
        },
        target(),
        ids,
      ).choices[0]?.finish_reason;
    assert.equal(finish('end_turn'), 'stop');
    assert.equal(finish('stop_sequence'), 'stop');
    assert.equal(finish('pause_turn'), 'stop');
    assert.equal(finish('max_tokens'), 'length');
    assert.equal(finish('model_context_window_exceeded'), 'length');
    assert.equal(finish('refusal'), 'content_filter');
  });

  it('hands the JSON tool input back as the content', () => {
    const res = anthropicAdapter.chatResponse(
      {
        type: 'message',
        content: [{ type: 'tool_use', id: 'toolu_1', name: JSON_TOOL_NAME, input: { n: 3 } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 5, output_tokens: 6 },
      },
      target(),
      ids,
    );
    assert.deepEqual(res.choices[0]?.message, { role: 'assistant', content: '{"n":3}' });
    assert.equal(res.choices[0]?.finish_reason, 'stop');
  });

  it('refuses a 200 that is not a message (the engine reports it as malformed)', () => {
    assert.throws(() => anthropicAdapter.chatResponse({ hello: 1 }, target(), ids));
  });
});

describe('anthropic adapter: stream', () => {
  // The event sequence of the streaming reference's tool-use example, with a text block first.
  const events = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          stop_sequence: null,
          usage: { input_tokens: 472, output_tokens: 2, cache_read_input_tokens: 100 },
          content: [],
          stop_reason: null,
        },
      },
    },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    { event: 'ping', data: { type: 'ping' } },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay' } },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ', checking.' } },
    },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'content_block_start',
      data: {
        type: 'content_block_start',
        index: 1,
        content_block: {
          type: 'tool_use',
          id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
          name: 'get_weather',
          input: {},
        },
      },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
    },
    {
      event: 'content_block_delta',
      data: {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"location":' },
      },
    },
    {
      event: 'content_block_delta',
      data: {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: ' "Paris"}' },
      },
    },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 89 },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];

  it('translates each event as it comes: role, text, tool call with argument deltas, finish, usage', () => {
    const chunks = streamOf(events);
    const deltas = chunks.map((c) => [
      c.choices[0]?.delta,
      c.choices[0]?.finish_reason ?? null,
      c.usage ?? null,
    ]);
    assert.deepEqual(deltas, [
      [{ role: 'assistant', content: '' }, null, null],
      [{ content: 'Okay' }, null, null],
      [{ content: ', checking.' }, null, null],
      [
        {
          tool_calls: [
            {
              index: 0,
              id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
              type: 'function',
              function: { name: 'get_weather', arguments: '' },
            },
          ],
        },
        null,
        null,
      ],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }, null, null],
      [{ tool_calls: [{ index: 0, function: { arguments: ' "Paris"}' } }] }, null, null],
      [{}, 'tool_calls', null],
      [
        undefined,
        null,
        {
          prompt_tokens: 572,
          completion_tokens: 89,
          total_tokens: 661,
          prompt_tokens_details: { cached_tokens: 100 },
        },
      ],
    ]);
    for (const c of chunks) {
      assert.equal(c.id, 'chatcmpl-test');
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'claude');
    }
  });

  it('streams the JSON tool input as content', () => {
    const chunks = streamOf([
      events[0],
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't', name: JSON_TOOL_NAME, input: {} },
        },
      },
      {
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"n":' },
        },
      },
      {
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '3}' },
        },
      },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 5 },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, '{"n":3}');
    assert.ok(chunks.every((c) => c.choices[0]?.delta.tool_calls === undefined));
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'stop');
  });

  it('an error event breaks the stream', () => {
    const tr = anthropicAdapter.chatStream(target(), ids);
    tr.push({ event: 'message_start', data: JSON.stringify(events[0]?.data) });
    assert.throws(
      () =>
        tr.push({
          event: 'error',
          data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
        }),
      (err: unknown) =>
        isKeywayError(err) && err.code === 'KW_ERR_AI_STREAM_BROKEN' && /overloaded_error/.test(err.message),
    );
  });

  it('a stream that ends before message_stop is broken, not complete', () => {
    const tr = anthropicAdapter.chatStream(target(), ids);
    tr.push({ event: 'message_start', data: JSON.stringify(events[0]?.data) });
    assert.throws(
      () => tr.end(),
      (err: unknown) => isKeywayError(err) && err.code === 'KW_ERR_AI_STREAM_BROKEN',
    );
  });

  it('ignores event types it does not know (the API may add some)', () => {
    const tr = anthropicAdapter.chatStream(target(), ids);
    assert.deepEqual(tr.push({ event: 'future_event', data: '{"type":"future_event"}' }), []);
  });
});

describe('anthropic adapter: errors', () => {
  const err = (type: string, message: string) => ({ type: 'error', error: { type, message } });

  it('429 is retryable, cools the key and honours retry-after', () => {
    const f = anthropicAdapter.failure(
      429,
      err('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
      {
        'retry-after': '30',
      },
    );
    assert.deepEqual(f, {
      status: 429,
      message: 'rate_limit_error: Number of request tokens has exceeded your per-minute rate limit',
      retryable: true,
      keyProblem: true,
      retryAfterMs: 30_000,
    });
  });

  it('529 overloaded is retryable as 503; 500 as 502', () => {
    assert.deepEqual(anthropicAdapter.failure(529, err('overloaded_error', 'Overloaded'), {}), {
      status: 503,
      message: 'overloaded_error: Overloaded',
      retryable: true,
      keyProblem: false,
    });
    const f = anthropicAdapter.failure(500, err('api_error', 'Internal server error'), {});
    assert.equal(f.status, 502);
    assert.equal(f.retryable, true);
  });

  it('a refused key is the gateway’s problem (502), not the caller’s 401', () => {
    const f = anthropicAdapter.failure(401, err('authentication_error', 'invalid x-api-key'), {});
    assert.equal(f.status, 502);
    assert.equal(f.keyProblem, true);
    assert.equal(f.retryable, true);
  });

  it('a bad request is passed on and not retried', () => {
    const f = anthropicAdapter.failure(
      400,
      err('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'),
      {},
    );
    assert.deepEqual(f, {
      status: 400,
      message: 'invalid_request_error: prompt is too long: 210000 tokens > 200000 maximum',
      retryable: false,
      keyProblem: false,
    });
  });

  it('an HTML error page from a proxy gives a generic message', () => {
    const f = anthropicAdapter.failure(502, '<html><body>Bad Gateway</body></html>', {});
    assert.equal(f.message, 'the provider answered 502');
  });
});
