/**
 * The Gemini adapter's pure mappings against wire fixtures written from the Gemini API reference
 * (https://ai.google.dev/api/generate-content, …/api/caching#Schema, …/api/embeddings,
 * …/gemini-api/docs/thought-signatures): requests, answers, SSE stream events, errors, embeddings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeywayError } from '../../../core/errors.js';
import { geminiAdapter } from '../gemini.js';
import { toGeminiSchema } from './schema.js';
import { signatureOf, SKIP_SIGNATURE } from './tool-ids.js';
import type { AttemptTarget, ChatChunk, ChatRequest } from '../../types.js';

const ids = { id: 'chatcmpl-test', created: 1_726_000_000, model: 'fast' };
const SIGNATURE = 'CiQBVKhc7ZcLz+5Wx/NQ2lmH0y8pNW3N9R3B1pgm3lEm0VtyYQ=='; // opaque bytes, base64

function target(baseUrl = 'https://generativelanguage.googleapis.com'): AttemptTarget {
  return {
    model: 'gemini-2.5-flash',
    key: 'AIza-secret-key',
    provider: {
      name: 'gm',
      type: 'gemini',
      baseUrl,
      apiVersion: undefined,
      headers: {},
      timeoutMs: 60_000,
      cooldownMs: 30_000,
      adapter: geminiAdapter,
      keys: [{ id: 'k1', secret: 'AIza-secret-key' }],
      prices: new Map(),
    },
  };
}

function body(req: ChatRequest): Record<string, unknown> {
  return JSON.parse(geminiAdapter.chatRequest(req, target()).body ?? '{}') as Record<string, unknown>;
}

function streamOf(events: unknown[]): ChatChunk[] {
  const tr = geminiAdapter.chatStream(target(), ids);
  const out: ChatChunk[] = [];
  for (const e of events) out.push(...tr.push({ event: undefined, data: JSON.stringify(e) }));
  out.push(...tr.end());
  return out;
}

describe('gemini adapter: request', () => {
  it('calls generateContent with the key in x-goog-api-key, never in the URL', () => {
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }] };
    const call = geminiAdapter.chatRequest(req, target());
    assert.equal(
      call.url,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    );
    assert.equal(call.headers['x-goog-api-key'], 'AIza-secret-key');
    assert.ok(!call.url.includes('AIza'));
    const stream = geminiAdapter.chatRequest(
      { ...req, stream: true },
      target('https://proxy.example/gemini/v1'),
    );
    assert.equal(
      stream.url,
      'https://proxy.example/gemini/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
  });

  it('maps system instructions, images, function calls and responses, tools and generation config', () => {
    const req: ChatRequest = {
      model: 'fast',
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'image_url', image_url: { url: 'https://example.com/map.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: `call_abc__ts_${Buffer.from(SIGNATURE, 'base64').toString('base64url')}`,
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_def', type: 'function', function: { name: 'time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_def', content: 'noon' },
        {
          role: 'tool',
          tool_call_id: `call_abc__ts_${Buffer.from(SIGNATURE, 'base64').toString('base64url')}`,
          content: '{"temp":18}',
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Current weather',
            parameters: {
              type: 'object',
              additionalProperties: false,
              properties: { city: { type: 'string' }, unit: { type: ['string', 'null'], enum: ['C', 'F'] } },
              required: ['city'],
            },
          },
        },
        { type: 'function', function: { name: 'time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      max_tokens: 200,
      temperature: 0.3,
      top_p: 0.8,
      stop: ['END'],
      seed: 4,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'w',
          schema: { type: 'object', properties: { temp: { type: 'number' } }, required: ['temp'] },
        },
      },
    };
    assert.deepEqual(body(req), {
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Weather here?' },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
            { fileData: { fileUri: 'https://example.com/map.png', mimeType: 'image/png' } },
          ],
        },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: SIGNATURE },
            { functionCall: { name: 'time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'time', response: { output: 'noon' } } },
            { functionResponse: { name: 'weather', response: { temp: 18 } } },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: 'You are terse.' }] },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'weather',
              description: 'Current weather',
              parameters: {
                type: 'OBJECT',
                properties: {
                  city: { type: 'STRING' },
                  unit: { type: 'STRING', nullable: true, enum: ['C', 'F'] },
                },
                required: ['city'],
              },
            },
            // No properties: Gemini refuses an empty OBJECT, so no parameters at all.
            { name: 'time' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } },
      generationConfig: {
        maxOutputTokens: 200,
        temperature: 0.3,
        topP: 0.8,
        stopSequences: ['END'],
        seed: 4,
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { temp: { type: 'NUMBER' } }, required: ['temp'] },
      },
    });
  });

  it('gives function calls from another provider the skip-signature marker', () => {
    const b = body({
      model: 'x',
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: 'done' },
      ],
    });
    const contents = b['contents'] as Array<{ parts: Array<Record<string, unknown>> }>;
    assert.deepEqual(contents[1]?.parts, [
      { text: 'Let me look.' },
      { functionCall: { name: 'f', args: {} }, thoughtSignature: SKIP_SIGNATURE },
    ]);
  });

  it('maps json_object, tool_choice none/required and n', () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'f' } }];
    const base = { model: 'x', messages: [{ role: 'user' as const, content: 'hi' }] };
    assert.deepEqual(body({ ...base, response_format: { type: 'json_object' } })['generationConfig'], {
      responseMimeType: 'application/json',
    });
    assert.deepEqual(body({ ...base, tools, tool_choice: 'none' })['toolConfig'], {
      functionCallingConfig: { mode: 'NONE' },
    });
    assert.deepEqual(body({ ...base, tools, tool_choice: 'required' })['toolConfig'], {
      functionCallingConfig: { mode: 'ANY' },
    });
    assert.deepEqual(body({ ...base, n: 2 })['generationConfig'], { candidateCount: 2 });
  });

  it('refuses a tool result that answers no known call', () => {
    assert.throws(
      () =>
        geminiAdapter.chatRequest(
          { model: 'x', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'r' }] },
          target(),
        ),
      (err: unknown) =>
        isKeywayError(err) &&
        err.code === 'KW_ERR_BAD_REQUEST' &&
        /messages\[0\]\.tool_call_id/.test(err.message),
    );
  });
});

describe('gemini adapter: schema subset', () => {
  it('inlines $refs, folds nullable types and anyOf, drops unknown keywords and formats', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: {
        Step: { type: 'object', properties: { text: { type: 'string', minLength: 1 } }, required: ['text'] },
      },
      properties: {
        steps: { type: 'array', items: { $ref: '#/$defs/Step' }, maxItems: 5 },
        when: { type: 'string', format: 'date-time' },
        email: { type: 'string', format: 'email' },
        kind: { const: 'plan' },
        size: { anyOf: [{ type: 'integer', format: 'int32' }, { type: 'null' }] },
        either: { oneOf: [{ type: 'string' }, { type: 'number', exclusiveMinimum: 0 }] },
        mixed: { type: ['integer', 'string'] },
        base: {
          allOf: [
            { type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] },
            { properties: { b: { type: 'number' } } },
          ],
        },
      },
      required: ['steps', 'ghost'],
      additionalProperties: false,
    };
    assert.deepEqual(toGeminiSchema(schema), {
      type: 'OBJECT',
      properties: {
        steps: {
          type: 'ARRAY',
          maxItems: 5,
          items: {
            type: 'OBJECT',
            properties: { text: { type: 'STRING', minLength: 1 } },
            required: ['text'],
          },
        },
        when: { type: 'STRING', format: 'date-time' },
        email: { type: 'STRING' },
        kind: { type: 'STRING', enum: ['plan'] },
        size: { type: 'INTEGER', format: 'int32', nullable: true },
        either: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
        mixed: { anyOf: [{ type: 'INTEGER' }, { type: 'STRING' }] },
        base: {
          type: 'OBJECT',
          properties: { a: { type: 'BOOLEAN' }, b: { type: 'NUMBER' } },
          required: ['a'],
        },
      },
      required: ['steps'],
    });
  });

  it('cuts a recursive schema instead of looping', () => {
    const tree = {
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    };
    const out = JSON.stringify(toGeminiSchema(tree));
    assert.ok(out.length < 10_000);
    assert.ok(out.startsWith('{"type":"OBJECT"'));
  });
});

describe('gemini adapter: response', () => {
  it('maps text, function calls (signature kept in the id), finish and usage with thoughts', () => {
    const res = geminiAdapter.chatResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'thinking…', thought: true },
                { text: 'Checking ' },
                { text: 'now.' },
                { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: SIGNATURE },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 50,
          candidatesTokenCount: 10,
          thoughtsTokenCount: 30,
          cachedContentTokenCount: 20,
          totalTokenCount: 90,
        },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'abc',
      },
      target(),
      ids,
    );
    const choice = res.choices[0];
    assert.equal(choice?.message.content, 'Checking now.');
    assert.equal(choice?.finish_reason, 'tool_calls');
    const call = choice?.message.tool_calls?.[0];
    assert.equal(call?.function.name, 'weather');
    assert.equal(call?.function.arguments, '{"city":"Paris"}');
    assert.match(call?.id ?? '', /^call_[A-Za-z0-9_-]+$/);
    assert.equal(signatureOf(call?.id ?? ''), SIGNATURE);
    assert.deepEqual(res.usage, {
      prompt_tokens: 50,
      completion_tokens: 40,
      total_tokens: 90,
      prompt_tokens_details: { cached_tokens: 20 },
    });
  });

  it('maps finish reasons, candidates and a blocked prompt', () => {
    const finish = (reason: string) =>
      geminiAdapter.chatResponse(
        { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] },
        target(),
        ids,
      ).choices[0]?.finish_reason;
    assert.equal(finish('STOP'), 'stop');
    assert.equal(finish('MAX_TOKENS'), 'length');
    assert.equal(finish('SAFETY'), 'content_filter');
    assert.equal(finish('RECITATION'), 'content_filter');
    assert.equal(finish('OTHER'), 'stop');
    const two = geminiAdapter.chatResponse(
      {
        candidates: [
          { content: { parts: [{ text: 'a' }] }, finishReason: 'STOP', index: 0 },
          { content: { parts: [{ text: 'b' }] }, finishReason: 'STOP', index: 1 },
        ],
      },
      target(),
      ids,
    );
    assert.deepEqual(
      two.choices.map((c) => [c.index, c.message.content]),
      [
        [0, 'a'],
        [1, 'b'],
      ],
    );
    const blocked = geminiAdapter.chatResponse(
      { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 8 } },
      target(),
      ids,
    );
    assert.deepEqual(blocked.choices, [
      {
        index: 0,
        message: { role: 'assistant', content: '' },
        finish_reason: 'content_filter',
        logprobs: null,
      },
    ]);
  });
});

describe('gemini adapter: stream', () => {
  it('translates each SSE event: text pieces, whole function calls, finish, then usage', () => {
    const chunks = streamOf([
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'The' }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 9 },
      },
      { candidates: [{ content: { role: 'model', parts: [{ text: ' answer' }] }, index: 0 }] },
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 7, totalTokenCount: 16 },
      },
    ]);
    const shape = chunks.map((c) => [
      c.choices[0]?.delta,
      c.choices[0]?.finish_reason ?? null,
      c.usage ?? null,
    ]);
    const call = chunks[3]?.choices[0]?.delta.tool_calls?.[0];
    assert.deepEqual(shape, [
      [{ role: 'assistant', content: '' }, null, null],
      [{ content: 'The' }, null, null],
      [{ content: ' answer' }, null, null],
      [
        {
          tool_calls: [
            { index: 0, id: call?.id, type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
          ],
        },
        null,
        null,
      ],
      [{}, 'tool_calls', null],
      [undefined, null, { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 }],
    ]);
  });

  it('an error event, or an end before a finish reason, breaks the stream', () => {
    const broken = (err: unknown) => isKeywayError(err) && err.code === 'KW_ERR_AI_STREAM_BROKEN';
    const tr = geminiAdapter.chatStream(target(), ids);
    tr.push({
      event: undefined,
      data: JSON.stringify({ candidates: [{ content: { parts: [{ text: 'a' }] } }] }),
    });
    assert.throws(() => tr.end(), broken);
    const tr2 = geminiAdapter.chatStream(target(), ids);
    assert.throws(
      () =>
        tr2.push({
          event: undefined,
          data: JSON.stringify({
            error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' },
          }),
        }),
      broken,
    );
  });
});

describe('gemini adapter: errors', () => {
  it('an invalid key (400 API_KEY_INVALID) is a key problem, not the caller’s bad request', () => {
    const f = geminiAdapter.failure(
      400,
      {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'API_KEY_INVALID',
              domain: 'googleapis.com',
            },
          ],
        },
      },
      {},
    );
    assert.deepEqual(f, {
      status: 502,
      message: 'INVALID_ARGUMENT: API key not valid. Please pass a valid API key.',
      retryable: true,
      keyProblem: true,
    });
  });

  it('429 RESOURCE_EXHAUSTED is retryable; a plain 400 is passed on', () => {
    const quota = geminiAdapter.failure(
      429,
      [{ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }],
      { 'retry-after': '2' },
    );
    assert.equal(quota.status, 429);
    assert.equal(quota.retryAfterMs, 2000);
    assert.equal(quota.keyProblem, true);
    const bad = geminiAdapter.failure(
      400,
      { error: { code: 400, message: 'Invalid JSON payload', status: 'INVALID_ARGUMENT' } },
      {},
    );
    assert.deepEqual([bad.status, bad.retryable], [400, false]);
  });
});

describe('gemini adapter: embeddings', () => {
  it('batches inputs through batchEmbedContents and maps the vectors', () => {
    assert.ok(
      geminiAdapter.embeddingsRequest !== undefined && geminiAdapter.embeddingsResponse !== undefined,
    );
    const embed: NonNullable<typeof geminiAdapter.embeddingsRequest> = (req, t) =>
      geminiAdapter.embeddingsRequest!(req, t);
    const read: NonNullable<typeof geminiAdapter.embeddingsResponse> = (b, t, m) =>
      geminiAdapter.embeddingsResponse!(b, t, m);
    const call = embed(
      { model: 'emb', input: ['a', 'b'], dimensions: 3 },
      { ...target(), model: 'text-embedding-004' },
    );
    assert.equal(
      call.url,
      'https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents',
    );
    assert.deepEqual(JSON.parse(call.body ?? ''), {
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 3 },
      ],
    });
    const res = read(
      { embeddings: [{ values: [0.1, 0.2, 0.3] }, { values: [0.4, 0.5, 0.6] }] },
      target(),
      'emb',
    );
    assert.deepEqual(res, {
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] },
        { object: 'embedding', index: 1, embedding: [0.4, 0.5, 0.6] },
      ],
      model: 'emb',
    });
    assert.throws(
      () => embed({ model: 'emb', input: [1, 2, 3] }, target()),
      (err: unknown) => isKeywayError(err) && err.code === 'KW_ERR_BAD_REQUEST',
    );
  });
});
