/**
 * `/v1/messages` translation without the network: Anthropic request bodies checked and mapped to the
 * canonical chat request, canonical answers mapped to `message` objects, canonical chunks encoded as
 * Anthropic stream events (sequence and indexes as the streaming reference shows them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeywayError } from '../../src/core/errors.js';
import { AnthropicEventEncoder } from '../../src/ai/messages-api/stream-encoder.js';
import { toChatRequest } from '../../src/ai/messages-api/to-chat.js';
import { toMessage } from '../../src/ai/messages-api/to-message.js';
import { validateMessagesRequest } from '../../src/ai/messages-api/validate.js';
import type { ChatChunk } from '../../src/ai/types.js';

const chunk = (
  delta: ChatChunk['choices'][number]['delta'],
  finish: ChatChunk['choices'][number]['finish_reason'] = null,
): ChatChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe('/v1/messages: request checks', () => {
  const valid = { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
  const refused = (body: Record<string, unknown>, path: string) =>
    assert.throws(
      () => validateMessagesRequest(body),
      (err: unknown) =>
        isKeywayError(err) &&
        err.code === 'KW_ERR_BAD_REQUEST' &&
        err.status === 400 &&
        err.details?.[0]?.path === path,
      path,
    );

  it('accepts a valid request and ignores unknown fields', () => {
    assert.doesNotThrow(() => validateMessagesRequest({ ...valid, some_future_field: { x: 1 } }));
  });

  it('names the offending field', () => {
    refused({ ...valid, model: '' }, '/model');
    refused({ model: 'c', messages: valid.messages }, '/max_tokens');
    refused({ ...valid, messages: [] }, '/messages');
    refused({ ...valid, messages: [{ role: 'tool', content: 'x' }] }, '/messages/0/role');
    refused(
      { ...valid, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      '/messages/0/content/0/text',
    );
    refused(
      { ...valid, messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] },
      '/messages/0/content/0/tool_use_id',
    );
    refused(
      {
        ...valid,
        messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }] }],
      },
      '/messages/0/content/0/type',
    );
    refused(
      {
        ...valid,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }],
      },
      '/messages/0/content/0/source/type',
    );
    refused(
      { ...valid, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      '/messages/0/content/0/type',
    );
    refused({ ...valid, system: [{ type: 'image' }] }, '/system/0/type');
    refused({ ...valid, stop_sequences: 'END' }, '/stop_sequences');
    refused({ ...valid, temperature: 'hot' }, '/temperature');
    refused({ ...valid, tools: [{ name: 'f' }] }, '/tools/0/input_schema');
    refused({ ...valid, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, '/tools/0/type');
    refused({ ...valid, tool_choice: { type: 'tool' } }, '/tool_choice/name');
    refused({ ...valid, tool_choice: { type: 'sometimes' } }, '/tool_choice/type');
    refused({ ...valid, metadata: { user_id: 5 } }, '/metadata/user_id');
    refused({ ...valid, mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }, '/mcp_servers');
    refused({ ...valid, output_config: { format: { type: 'json_schema' } } }, '/output_config/format/schema');
  });
});

describe('/v1/messages: request translation', () => {
  it('maps system, content blocks, tool use and results, tools and sampling', () => {
    const req = validateMessagesRequest({
      model: 'claude',
      max_tokens: 512,
      system: [
        { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Use metric units.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Let me see', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: '18' },
                { type: 'text', text: '°C' },
              ],
            },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
        { role: 'assistant', content: 'Probably' },
      ],
      tools: [
        {
          name: 'weather',
          description: 'Weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      metadata: { user_id: 'u-1' },
      stream: true,
    });
    assert.deepEqual(toChatRequest(req), {
      model: 'claude',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'system', content: 'Use metric units.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18\n°C' },
        { role: 'user', content: 'And tomorrow?' },
        { role: 'assistant', content: 'Probably' },
      ],
      max_completion_tokens: 512,
      stop: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('maps tool_choice variants, system-role messages and structured output', () => {
    const base = { model: 'c', max_tokens: 10, tools: [{ name: 'f', input_schema: { type: 'object' } }] };
    const choice = (tc: unknown) =>
      toChatRequest(
        validateMessagesRequest({ ...base, messages: [{ role: 'user', content: 'x' }], tool_choice: tc }),
      ).tool_choice;
    assert.equal(choice({ type: 'auto' }), 'auto');
    assert.equal(choice({ type: 'none' }), 'none');
    assert.deepEqual(choice({ type: 'tool', name: 'f' }), { type: 'function', function: { name: 'f' } });
    const req = toChatRequest(
      validateMessagesRequest({
        model: 'c',
        max_tokens: 10,
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'x' },
        ],
        output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
      }),
    );
    assert.deepEqual(req.messages[0], { role: 'system', content: 'sys' });
    assert.deepEqual(req.response_format, {
      type: 'json_schema',
      json_schema: { name: 'output', schema: { type: 'object' }, strict: true },
    });
  });
});

describe('/v1/messages: answers', () => {
  it('maps a completion to a message with text and tool_use blocks', () => {
    const message = toMessage(
      {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Sure.',
              tool_calls: [
                { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
                { id: 'call_2', type: 'function', function: { name: 'g', arguments: 'not json' } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: 30,
          completion_tokens: 7,
          total_tokens: 37,
          prompt_tokens_details: { cached_tokens: 10 },
        },
      },
      'claude-x',
      'msg_1',
    );
    assert.deepEqual(message, {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
        { type: 'tool_use', id: 'call_2', name: 'g', input: { arguments: 'not json' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 10,
      },
    });
  });

  it('maps finish reasons to stop reasons', () => {
    const stop = (finish: 'stop' | 'length' | 'content_filter') =>
      toMessage(
        {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: finish }],
        },
        'm',
        'msg',
      ).stop_reason;
    assert.equal(stop('stop'), 'end_turn');
    assert.equal(stop('length'), 'max_tokens');
    assert.equal(stop('content_filter'), 'refusal');
  });
});

describe('/v1/messages: stream events', () => {
  it('encodes text then tool calls as sequential blocks, and finishes with stop reason and usage', () => {
    const enc = new AnthropicEventEncoder('msg_1', 'claude', 12);
    const events = [
      ...enc.start(),
      ...enc.chunk(chunk({ role: 'assistant', content: '' })),
      ...enc.chunk(chunk({ content: 'Hi' })),
      ...enc.chunk(chunk({ content: ' there' })),
      ...enc.chunk(
        chunk({
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
        }),
      ),
      ...enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] })),
      ...enc.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] })),
      ...enc.chunk(
        chunk({
          tool_calls: [
            { index: 1, id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        }),
      ),
      ...enc.chunk(chunk({}, 'tool_calls')),
      ...enc.chunk({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
      }),
      ...enc.finishEvents(),
    ];
    assert.deepEqual(events, [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 12, output_tokens: 0 },
          },
        },
      },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } },
      },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
        },
      },
      {
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '{"a":' },
        },
      },
      {
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '1}' },
        },
      },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 2,
          content_block: { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
        },
      },
      {
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: 2,
          delta: { type: 'input_json_delta', partial_json: '{}' },
        },
      },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 2 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: {
            input_tokens: 9,
            output_tokens: 4,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
  });

  it('an empty answer still starts and stops the message', () => {
    const enc = new AnthropicEventEncoder('msg_2', 'claude', 0);
    const names = [...enc.start(), ...enc.chunk(chunk({}, 'stop')), ...enc.finishEvents()].map(
      (e) => e.event,
    );
    assert.deepEqual(names, ['message_start', 'message_delta', 'message_stop']);
  });
});
