/**
 * The official `openai` SDK through Keyway to a Gemini provider (a fake Gemini API on loopback):
 * generateContent and streamGenerateContent (SSE, event by event), function calling with the thought
 * signature carried through the tool call id, JSON schema mode, embeddings — and the API key only ever in
 * the `x-goog-api-key` header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { gate } from '../../../../test/helpers/fake-llm.js';
import { aiHarness, drain } from '../../../../test/ai/harness.js';
import { aiState } from '../../../../test/ai/openai-fixtures.js';

const SECRET = 'AIzaSy-provider-secret-0003';
const SIGNATURE = 'CiQBVKhc7ZcLz+5Wx/NQ2lmH0y8pNW3N9R3B1pgm3lEm0VtyYQ==';

/** A GenerateContentResponse as the API answers it (one candidate). */
function generated(
  parts: Array<Record<string, unknown>>,
  finishReason: string | undefined,
  usage?: Record<string, number>,
) {
  return {
    candidates: [
      {
        content: { parts, role: 'model' },
        ...(finishReason === undefined ? {} : { finishReason }),
        index: 0,
      },
    ],
    ...(usage === undefined ? {} : { usageMetadata: usage }),
    modelVersion: 'gemini-2.5-flash',
    responseId: 'mNqDaPb5Ha2-1PIPr7ahwQM',
  };
}

describe('OpenAI SDK → Gemini provider', () => {
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [{ name: 'gm', type: 'gemini', base_url: fake.url, keys: [{ id: 'k1', secret: SECRET }] }],
        models: [
          { name: 'flash', targets: [{ provider: 'gm', model: 'gemini-2.5-flash' }], retries: 0 },
          { name: 'embed', targets: [{ provider: 'gm', model: 'gemini-embedding-001' }], retries: 0 },
        ],
      }),
  });

  it('answers a chat completion; the key travels in x-goog-api-key only', async () => {
    h.fake.queue({
      json: generated([{ text: 'Paris.' }], 'STOP', {
        promptTokenCount: 8,
        candidatesTokenCount: 2,
        thoughtsTokenCount: 5,
        totalTokenCount: 15,
      }),
    });
    const res = await h.client.chat.completions.create({
      model: 'flash',
      messages: [
        { role: 'system', content: 'One word.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      temperature: 0.1,
      max_tokens: 20,
    });
    assert.equal(res.choices[0]?.message.content, 'Paris.');
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.deepEqual([res.usage?.prompt_tokens, res.usage?.completion_tokens], [8, 7]);
    const rec = h.fake.requests[0];
    assert.equal(rec?.url, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(rec?.headers['x-goog-api-key'], SECRET);
    assert.equal(rec?.headers['authorization'], undefined);
    assert.ok(!(rec?.url ?? '').includes(SECRET));
    assert.deepEqual(rec?.json, {
      contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }],
      systemInstruction: { parts: [{ text: 'One word.' }] },
      generationConfig: { maxOutputTokens: 20, temperature: 0.1 },
    });
  });

  it('streams each SSE event as it arrives', async () => {
    const held = gate();
    h.fake.queue({
      sse: [
        { data: generated([{ text: 'Roses' }], undefined) },
        { gate: held.promise },
        { data: generated([{ text: ' are red' }], undefined) },
        {
          data: generated([{ text: '.' }], 'STOP', {
            promptTokenCount: 4,
            candidatesTokenCount: 5,
            totalTokenCount: 9,
          }),
        },
      ],
    });
    const stream = await h.client.chat.completions.create({
      model: 'flash',
      messages: [{ role: 'user', content: 'A poem' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await drain(stream, held.open);
    assert.equal(text, 'Roses are red.');
    assert.equal(finish, 'stop');
    assert.deepEqual([usage?.prompt_tokens, usage?.completion_tokens], [4, 5]);
    assert.equal(h.fake.requests[0]?.url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('function calling round trip keeps the thought signature', async () => {
    h.fake.queue({
      json: generated(
        [{ functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: SIGNATURE }],
        'STOP',
        {
          promptTokenCount: 30,
          candidatesTokenCount: 6,
        },
      ),
    });
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
          },
        },
      },
    ];
    const first = await h.client.chat.completions.create({
      model: 'flash',
      messages: [{ role: 'user', content: 'Weather in Lyon?' }],
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call?.type === 'function');
    assert.equal(call.function.arguments, '{"city":"Lyon"}');
    assert.deepEqual((h.fake.requests[0]?.json as { tools: unknown }).tools, [
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
          },
        ],
      },
    ]);

    h.fake.queue({ json: generated([{ text: 'Sunny, 21°C.' }], 'STOP') });
    const second = await h.client.chat.completions.create({
      model: 'flash',
      tools,
      messages: [
        { role: 'user', content: 'Weather in Lyon?' },
        first.choices[0]?.message,
        { role: 'tool', tool_call_id: call.id, content: '{"sky":"sunny","temp":21}' },
      ],
    });
    assert.equal(second.choices[0]?.message.content, 'Sunny, 21°C.');
    assert.deepEqual((h.fake.requests[1]?.json as { contents: unknown[] }).contents.slice(1), [
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: SIGNATURE },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { sky: 'sunny', temp: 21 } } }],
      },
    ]);
  });

  it('JSON schema mode sets the response MIME type and schema', async () => {
    h.fake.queue({ json: generated([{ text: '{"answer":42}' }], 'STOP') });
    const res = await h.client.chat.completions.create({
      model: 'flash',
      messages: [{ role: 'user', content: 'The answer?' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'a', schema: { type: 'object', properties: { answer: { type: 'integer' } } } },
      },
    });
    assert.deepEqual(JSON.parse(res.choices[0]?.message.content ?? ''), { answer: 42 });
    assert.deepEqual((h.fake.requests[0]?.json as { generationConfig: unknown }).generationConfig, {
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { answer: { type: 'INTEGER' } } },
    });
  });

  it('a provider refusal passes with Gemini’s message; a bad key cools and is not the caller’s fault', async () => {
    h.fake.queue({
      status: 400,
      json: {
        error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
      },
    });
    await assert.rejects(
      h.client.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.match(err.message, /INVALID_ARGUMENT: Request contains an invalid argument/);
        return true;
      },
    );
    h.fake.queue({
      status: 400,
      json: {
        error: {
          code: 400,
          message: 'API key not valid.',
          status: 'INVALID_ARGUMENT',
          details: [{ reason: 'API_KEY_INVALID' }],
        },
      },
    });
    await assert.rejects(
      h.client.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 502);
        return true;
      },
    );
  });

  it('embeddings through batchEmbedContents, as floats or base64', async () => {
    const vectors = { embeddings: [{ values: [0.5, -0.25] }, { values: [0.125, 1] }] };
    h.fake.queue({ json: vectors }, { json: vectors });
    const floats = await h.client.embeddings.create({
      model: 'embed',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    assert.deepEqual(
      floats.data.map((d) => d.embedding),
      [
        [0.5, -0.25],
        [0.125, 1],
      ],
    );
    assert.equal(h.fake.requests[0]?.url, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    assert.ok((floats.usage.prompt_tokens ?? 0) > 0, 'counted by the gateway when Gemini reports none');
    // Without encoding_format the SDK asks for base64 and decodes it itself.
    const decoded = await h.client.embeddings.create({ model: 'embed', input: ['a', 'b'] });
    assert.deepEqual(
      decoded.data.map((d) => Array.from(d.embedding)),
      [
        [0.5, -0.25],
        [0.125, 1],
      ],
    );
  });
});
