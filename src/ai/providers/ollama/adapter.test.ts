/**
 * The Ollama adapter's pure mappings against wire fixtures written from Ollama's API reference
 * (https://github.com/ollama/ollama/blob/main/docs/api.md: /api/chat, /api/embed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeywayError } from '../../../core/errors.js';
import { ollamaAdapter } from '../ollama.js';
import type { AttemptTarget, ChatChunk, ChatRequest } from '../../types.js';

const ids = { id: 'chatcmpl-test', created: 1_726_000_000, model: 'local' };

function target(key?: string): AttemptTarget {
  return {
    model: 'llama3.2',
    key,
    provider: {
      name: 'ol',
      type: 'ollama',
      baseUrl: 'http://127.0.0.1:11434',
      apiVersion: undefined,
      headers: {},
      timeoutMs: 60_000,
      cooldownMs: 30_000,
      adapter: ollamaAdapter,
      keys: key === undefined ? [] : [{ id: 'k1', secret: key }],
      prices: new Map(),
    },
  };
}

function body(req: ChatRequest): Record<string, unknown> {
  return JSON.parse(ollamaAdapter.chatRequest(req, target()).body ?? '{}') as Record<string, unknown>;
}

const line = (o: unknown) => ({ event: undefined, data: JSON.stringify(o) });

describe('ollama adapter: request', () => {
  it('posts to /api/chat without credentials, or with a bearer when a key is configured', () => {
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }] };
    const call = ollamaAdapter.chatRequest(req, target());
    assert.equal(call.url, 'http://127.0.0.1:11434/api/chat');
    assert.equal(call.headers['authorization'], undefined);
    assert.equal(ollamaAdapter.chatRequest(req, target('ol-key')).headers['authorization'], 'Bearer ol-key');
    // Ollama streams unless told otherwise: `stream` is always explicit.
    assert.equal(body(req)['stream'], false);
    assert.equal(body({ ...req, stream: true })['stream'], true);
  });

  it('maps messages, images, tool calls and results, tools, options and JSON formats', () => {
    const req: ChatRequest = {
      model: 'local',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        },
      ],
      max_tokens: 64,
      temperature: 0,
      top_p: 0.9,
      stop: ['\n\n'],
      seed: 1,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'a', schema: { type: 'object', properties: { animal: { type: 'string' } } } },
      },
    };
    assert.deepEqual(body(req), {
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo='] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'lookup', arguments: { q: 'x' } } }],
        },
        { role: 'tool', content: 'a cat', tool_name: 'lookup' },
      ],
      stream: false,
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        },
      ],
      format: { type: 'object', properties: { animal: { type: 'string' } } },
      options: { num_predict: 64, temperature: 0, top_p: 0.9, stop: ['\n\n'], seed: 1 },
    });
    assert.equal(
      body({
        model: 'x',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: { type: 'json_object' },
      })['format'],
      'json',
    );
    assert.equal(
      body({
        model: 'x',
        messages: [{ role: 'user', content: 'hi' }],
        tools: req.tools,
        tool_choice: 'none',
      })['tools'],
      undefined,
    );
  });

  it('refuses image links (Ollama takes inline images only)', () => {
    assert.throws(
      () =>
        ollamaAdapter.chatRequest(
          {
            model: 'x',
            messages: [
              {
                role: 'user',
                content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
              },
            ],
          },
          target(),
        ),
      (err: unknown) =>
        isKeywayError(err) && err.code === 'KW_ERR_BAD_REQUEST' && /data: URL/.test(err.message),
    );
  });
});

describe('ollama adapter: response', () => {
  it('maps content, tool calls, done_reason and usage', () => {
    const res = ollamaAdapter.chatResponse(
      {
        model: 'llama3.2',
        created_at: '2024-07-22T20:33:28.123648Z',
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              function: { name: 'get_current_weather', arguments: { location: 'Paris', format: 'celsius' } },
            },
          ],
        },
        done_reason: 'stop',
        done: true,
        total_duration: 885095291,
        prompt_eval_count: 122,
        eval_count: 20,
      },
      target(),
      ids,
    );
    const choice = res.choices[0];
    assert.equal(choice?.message.content, null);
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(
      choice?.message.tool_calls?.[0]?.function.arguments,
      '{"location":"Paris","format":"celsius"}',
    );
    assert.match(choice?.message.tool_calls?.[0]?.id ?? '', /^call_/);
    assert.deepEqual(res.usage, { prompt_tokens: 122, completion_tokens: 20, total_tokens: 142 });
    const long = ollamaAdapter.chatResponse(
      { message: { role: 'assistant', content: 'abc' }, done: true, done_reason: 'length', eval_count: 3 },
      target(),
      ids,
    );
    assert.equal(long.choices[0]?.finish_reason, 'length');
    assert.deepEqual(long.usage, { prompt_tokens: 0, completion_tokens: 3, total_tokens: 3 });
  });
});

describe('ollama adapter: stream', () => {
  it('translates each NDJSON line and finishes on the done line', () => {
    const tr = ollamaAdapter.chatStream(target(), ids);
    const chunks: ChatChunk[] = [
      ...tr.push(
        line({
          model: 'llama3.2',
          created_at: '2023-08-04T08:52:19Z',
          message: { role: 'assistant', content: 'The' },
          done: false,
        }),
      ),
      ...tr.push(
        line({
          model: 'llama3.2',
          created_at: '2023-08-04T08:52:19Z',
          message: { role: 'assistant', content: ' sky' },
          done: false,
        }),
      ),
      ...tr.push(
        line({
          model: 'llama3.2',
          created_at: '2023-08-04T19:22:45Z',
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: 'stop',
          prompt_eval_count: 26,
          eval_count: 2,
        }),
      ),
      ...tr.end(),
    ];
    assert.deepEqual(
      chunks.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason ?? null, c.usage ?? null]),
      [
        [{ role: 'assistant', content: '' }, null, null],
        [{ content: 'The' }, null, null],
        [{ content: ' sky' }, null, null],
        [{}, 'stop', null],
        [undefined, null, { prompt_tokens: 26, completion_tokens: 2, total_tokens: 28 }],
      ],
    );
  });

  it('an error line, or an end without the done line, breaks the stream', () => {
    const broken = (err: unknown) => isKeywayError(err) && err.code === 'KW_ERR_AI_STREAM_BROKEN';
    const tr = ollamaAdapter.chatStream(target(), ids);
    tr.push(line({ message: { role: 'assistant', content: 'x' }, done: false }));
    assert.throws(() => tr.end(), broken);
    assert.throws(
      () =>
        ollamaAdapter
          .chatStream(target(), ids)
          .push(line({ error: 'an error was encountered while running the model' })),
      broken,
    );
  });
});

describe('ollama adapter: errors and embeddings', () => {
  it('maps {"error"} answers', () => {
    const missing = ollamaAdapter.failure(
      404,
      { error: 'model "llama9" not found, try pulling it first' },
      {},
    );
    assert.deepEqual(missing, {
      status: 404,
      message: 'model "llama9" not found, try pulling it first',
      retryable: false,
      keyProblem: false,
    });
    const bad = ollamaAdapter.failure(400, { error: 'invalid format' }, {});
    assert.deepEqual([bad.status, bad.retryable], [400, false]);
  });

  it('embeds through /api/embed', () => {
    assert.ok(
      ollamaAdapter.embeddingsRequest !== undefined && ollamaAdapter.embeddingsResponse !== undefined,
    );
    const embed: NonNullable<typeof ollamaAdapter.embeddingsRequest> = (req, t) =>
      ollamaAdapter.embeddingsRequest!(req, t);
    const read: NonNullable<typeof ollamaAdapter.embeddingsResponse> = (b, t, m) =>
      ollamaAdapter.embeddingsResponse!(b, t, m);
    const call = embed({ model: 'e', input: 'Why is the sky blue?' }, { ...target(), model: 'all-minilm' });
    assert.equal(call.url, 'http://127.0.0.1:11434/api/embed');
    assert.deepEqual(JSON.parse(call.body ?? ''), { model: 'all-minilm', input: ['Why is the sky blue?'] });
    const res = read(
      { model: 'all-minilm', embeddings: [[0.01, -0.02]], total_duration: 14143917, prompt_eval_count: 8 },
      target(),
      'e',
    );
    assert.deepEqual(res, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.01, -0.02] }],
      model: 'e',
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });
});
