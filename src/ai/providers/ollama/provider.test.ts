/**
 * The official `openai` SDK through Keyway to an Ollama provider (a fake Ollama on loopback): /api/chat
 * answered whole and streamed as NDJSON (line by line: the first token reaches the caller while Ollama
 * holds the rest), tool calls, JSON format, a broken stream, embeddings — and no credential sent when
 * none is configured.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { gate } from '../../../../test/helpers/fake-llm.js';
import { aiHarness, drain, Drained } from '../../../../test/ai/harness.js';
import { aiState } from '../../../../test/ai/openai-fixtures.js';

const AT = '2024-12-06T00:46:58.265747Z';
const piece = (content: string) => ({
  line: { model: 'llama3.2', created_at: AT, message: { role: 'assistant', content }, done: false },
});
const done = (prompt: number, evals: number, reason = 'stop') => ({
  line: {
    model: 'llama3.2',
    created_at: AT,
    message: { role: 'assistant', content: '' },
    done_reason: reason,
    done: true,
    total_duration: 4883583458,
    prompt_eval_count: prompt,
    eval_count: evals,
  },
});

describe('OpenAI SDK → Ollama provider', () => {
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [{ name: 'local', type: 'ollama', base_url: fake.url }],
        models: [{ name: 'llama', targets: [{ provider: 'local', model: 'llama3.2' }], retries: 0 }],
      }),
  });

  it('answers a chat completion from /api/chat (stream: false) with usage', async () => {
    h.fake.queue({
      json: {
        model: 'llama3.2',
        created_at: AT,
        message: { role: 'assistant', content: '{"age": 22}' },
        done_reason: 'stop',
        done: true,
        prompt_eval_count: 34,
        eval_count: 12,
      },
    });
    const res = await h.client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Age as JSON' }],
      response_format: { type: 'json_object' },
      temperature: 0,
    });
    assert.equal(res.choices[0]?.message.content, '{"age": 22}');
    assert.deepEqual([res.usage?.prompt_tokens, res.usage?.completion_tokens], [34, 12]);
    const rec = h.fake.requests[0];
    assert.equal(rec?.url, '/api/chat');
    assert.equal(rec?.headers['authorization'], undefined);
    assert.deepEqual(rec?.json, {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Age as JSON' }],
      stream: false,
      format: 'json',
      options: { temperature: 0 },
    });
  });

  it('streams NDJSON line by line', async () => {
    const held = gate();
    h.fake.queue({
      ndjson: [piece('The'), { gate: held.promise }, piece(' sky'), piece(' is blue.'), done(26, 4)],
    });
    const stream = await h.client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await drain(stream, held.open);
    assert.equal(text, 'The sky is blue.');
    assert.equal(finish, 'stop');
    assert.deepEqual([usage?.prompt_tokens, usage?.completion_tokens], [26, 4]);
    assert.equal((h.fake.requests[0]?.json as { stream: boolean }).stream, true);
  });

  it('tool calls come back with ids, and results go out with the tool name', async () => {
    h.fake.queue({
      json: {
        model: 'llama3.2',
        created_at: AT,
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'get_current_weather', arguments: { location: 'Paris' } } }],
        },
        done_reason: 'stop',
        done: true,
        prompt_eval_count: 90,
        eval_count: 20,
      },
    });
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_current_weather',
          parameters: { type: 'object', properties: { location: { type: 'string' } } },
        },
      },
    ];
    const first = await h.client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call?.type === 'function');
    assert.equal(call.function.arguments, '{"location":"Paris"}');

    h.fake.queue({
      json: {
        model: 'llama3.2',
        created_at: AT,
        message: { role: 'assistant', content: 'Warm.' },
        done_reason: 'stop',
        done: true,
        eval_count: 2,
      },
    });
    await h.client.chat.completions.create({
      model: 'llama',
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        first.choices[0]?.message,
        { role: 'tool', tool_call_id: call.id, content: '25°C' },
      ],
    });
    assert.deepEqual((h.fake.requests[1]?.json as { messages: unknown[] }).messages.slice(1), [
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'get_current_weather', arguments: { location: 'Paris' } } }],
      },
      { role: 'tool', content: '25°C', tool_name: 'get_current_weather' },
    ]);
  });

  it('an error line mid-stream ends the caller’s stream with an error', async () => {
    const delivered = gate();
    h.fake.queue({
      ndjson: [
        piece('Hal'),
        { gate: delivered.promise },
        { line: { error: 'an error was encountered while running the model' } },
      ],
    });
    const stream = await h.client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const got = new Drained();
    await assert.rejects(drain(stream, delivered.open, got), /stream broke|KW_ERR_AI_STREAM_BROKEN/);
    assert.equal(got.text, 'Hal');
  });

  it('a missing model is Ollama’s 404, passed on (not retried) as a provider error', async () => {
    h.fake.queue({ status: 404, json: { error: 'model "llama3.2" not found, try pulling it first' } });
    await assert.rejects(
      h.client.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 404);
        assert.match(err.message, /not found, try pulling it first/);
        return true;
      },
    );
  });

  it('embeddings through /api/embed', async () => {
    h.fake.queue({ json: { model: 'llama3.2', embeddings: [[0.25, -0.5, 1]], prompt_eval_count: 6 } });
    const res = await h.client.embeddings.create({ model: 'llama', input: 'Why is the sky blue?' });
    assert.deepEqual(Array.from(res.data[0]?.embedding ?? []), [0.25, -0.5, 1]);
    assert.equal(res.usage.prompt_tokens, 6);
    assert.equal(h.fake.requests[0]?.url, '/api/embed');
    assert.deepEqual(h.fake.requests[0]?.json, { model: 'llama3.2', input: ['Why is the sky blue?'] });
  });
});
