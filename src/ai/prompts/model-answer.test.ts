import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatResponse } from '../types.js';
import { answerText, parseJsonAnswer } from './model-answer.js';
import { compileOutputSchema } from './output-schema.js';

const schema = compileOutputSchema({
  type: 'object',
  required: ['sentiment'],
  properties: { sentiment: { enum: ['positive', 'negative'] }, score: { type: 'number', default: 0 } },
});
const validate = schema.validate;

function response(content: string | null, refusal?: string): ChatResponse {
  return {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: refusal ?? null }, finish_reason: 'stop' },
    ],
  };
}

function providerReason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: string; status?: number; message: string };
    assert.equal(e.code, 'KW_ERR_AI_PROVIDER');
    assert.equal(e.status, 502);
    return e.message;
  }
  assert.fail('expected KW_ERR_AI_PROVIDER');
}

describe("the model's answer", () => {
  it('is the text, or a 502 when there is none', () => {
    assert.equal(answerText(response('hello')), 'hello');
    assert.equal(
      providerReason(() => answerText(response(null))),
      'AI provider error: the model returned no text',
    );
    assert.match(
      providerReason(() => answerText(response(null, 'I cannot'))),
      /refused/,
    );
  });

  it('parses JSON, checks it against the schema, fills its defaults', () => {
    assert.deepEqual(parseJsonAnswer('{"sentiment":"positive"}', validate, 'stop'), {
      sentiment: 'positive',
      score: 0,
    });
    assert.deepEqual(parseJsonAnswer('```json\n{"sentiment":"negative","score":-1}\n```', validate, 'stop'), {
      sentiment: 'negative',
      score: -1,
    });
  });

  it('turns a broken contract into a clear 502 that does not echo the answer', () => {
    assert.match(
      providerReason(() => parseJsonAnswer('Sure! {"sentiment"', validate, 'stop')),
      /is not valid JSON$/,
    );
    assert.match(
      providerReason(() => parseJsonAnswer('{"sentiment', validate, 'length')),
      /cut off at max_tokens/,
    );
    const msg = providerReason(() => parseJsonAnswer('{"sentiment":"SECRETISH"}', validate, 'stop'));
    assert.match(
      msg,
      /does not match the output schema \(\/sentiment must be one of \["positive","negative"\]\)/,
    );
    assert.doesNotMatch(msg, /SECRETISH/);
    assert.match(
      providerReason(() => parseJsonAnswer('[1]', undefined, 'stop')),
      /not an object/,
    );
    assert.deepEqual(parseJsonAnswer(' {"any": 1} ', undefined, 'stop'), { any: 1 });
  });
});
