/**
 * Mistral through the gateway: the request is rebuilt to Mistral's strict schema (tool_choice "any",
 * random_seed, no stream_options, developer → system, 9-character tool call ids), usage arrives in the
 * last content chunk, `model_length` means `length`. Wire shapes from https://docs.mistral.ai/api/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { mistralToolId } from './mistral.js';
import { aiHarness, drain } from '../../../test/ai/harness.js';
import { aiState, CREATED } from '../../../test/ai/openai-fixtures.js';

function mistralChunk(delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>) {
  return {
    id: 'cmpl-e5cc70bb28c444948073e77776eb30ef',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'mistral-small-latest',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage === undefined ? {} : { usage }),
  };
}

describe('Mistral', () => {
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'mi',
            type: 'mistral',
            base_url: `${fake.url}/v1`,
            keys: [{ id: 'k', secret: 'mistral-key-1' }],
          },
        ],
      }),
  });

  it('maps the request onto Mistral’s schema', async () => {
    h.fake.queue({
      json: {
        id: 'cmpl-1',
        object: 'chat.completion',
        created: CREATED,
        model: 'mistral-large-latest',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'ok', tool_calls: null },
            finish_reason: 'model_length',
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 },
      },
    });
    const res = await h.client.chat.completions.create({
      model: 'mi/mistral-large-latest',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_Xyz_0123456789', type: 'function', function: { name: 'w', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_Xyz_0123456789', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'required',
      seed: 7,
      max_completion_tokens: 64,
      user: 'end-user-1',
      logit_bias: { '50256': -100 },
      stop: 'END',
      response_format: { type: 'json_object' },
    });
    assert.equal(res.choices[0]?.finish_reason, 'length', 'model_length → length');
    const sent = h.fake.requests[0];
    assert.equal(sent?.url, '/v1/chat/completions');
    assert.equal(sent?.headers.authorization, 'Bearer mistral-key-1');
    const body = sent?.json as Record<string, unknown>;
    const id = mistralToolId('call_Xyz_0123456789');
    assert.match(id, /^[A-Za-z0-9]{9}$/);
    assert.deepEqual(body, {
      model: 'mistral-large-latest',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id, type: 'function', function: { name: 'w', arguments: '{}' } }],
        },
        { role: 'tool', content: 'sunny', tool_call_id: id },
      ],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'any',
      random_seed: 7,
      max_tokens: 64,
      stop: 'END',
      response_format: { type: 'json_object' },
    });
    assert.equal(mistralToolId('abcDEF123'), 'abcDEF123', 'valid ids are kept');
  });

  it('streams without stream_options and takes usage from the last content chunk', async () => {
    h.fake.queue({
      sse: [
        { data: mistralChunk({ role: 'assistant', content: '' }, null) },
        { data: mistralChunk({ content: 'Bonjour' }, null) },
        {
          data: mistralChunk({ content: '!' }, 'stop', {
            prompt_tokens: 6,
            total_tokens: 9,
            completion_tokens: 3,
          }),
        },
        { data: '[DONE]' },
      ],
    });
    const stream = await h.client.chat.completions.create({
      model: 'mi/mistral-small-latest',
      messages: [{ role: 'user', content: 'salut' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks: seen } = await drain(stream);
    assert.equal(seen.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Bonjour!');
    assert.equal(seen.at(-2)?.choices[0]?.finish_reason, 'stop');
    assert.equal(seen.at(-2)?.usage, null, 'usage moved off the content chunk');
    assert.deepEqual(seen.at(-1)?.choices, []);
    assert.equal(seen.at(-1)?.usage?.completion_tokens, 3);
    const body = h.fake.requests[0]?.json as Record<string, unknown>;
    assert.equal(body.stream, true);
    assert.equal(body.stream_options, undefined, 'Mistral rejects stream_options');
  });

  it('maps embeddings dimensions to output_dimension', async () => {
    h.fake.queue({
      json: {
        id: 'emb-1',
        object: 'list',
        data: [{ object: 'embedding', embedding: [0.1, 0.2], index: 0 }],
        model: 'mistral-embed',
        usage: { prompt_tokens: 3, total_tokens: 3, completion_tokens: 0 },
      },
    });
    const res = await h.client.embeddings.create({
      model: 'mi/codestral-embed',
      input: ['x'],
      dimensions: 256,
      user: 'u',
    });
    assert.equal(res.data.length, 1);
    assert.deepEqual(h.fake.requests[0]?.json, {
      model: 'codestral-embed',
      input: ['x'],
      output_dimension: 256,
    });
  });

  it('reads Mistral error bodies (422 detail lists)', async () => {
    h.fake.queue({
      status: 422,
      json: {
        object: 'error',
        message: { detail: [] },
        detail: [
          {
            loc: ['body', 'temperature'],
            msg: 'Input should be less than or equal to 1.5',
            type: 'less_than_equal',
          },
        ],
      },
    });
    await assert.rejects(
      h.client.chat.completions.create({
        model: 'mi/m',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 1.9,
      }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.UnprocessableEntityError, String(err));
        assert.match(err.message, /body\.temperature: Input should be less than or equal to 1\.5/);
        return true;
      },
    );
  });
});
