import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywayError } from '../../core/errors.js';
import { resolveVariables, type CompiledVariable } from './variables.js';

const vars = new Map<string, CompiledVariable>([
  ['text', { name: 'text', required: true, default: undefined, maxLength: 5 }],
  ['lang', { name: 'lang', required: false, default: 'English', maxLength: undefined }],
  ['note', { name: 'note', required: false, default: undefined, maxLength: undefined }],
]);

function refusal(body: Record<string, unknown>): KeywayError {
  try {
    resolveVariables('p', vars, body);
  } catch (err) {
    assert.ok(err instanceof KeywayError);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('prompt variables', () => {
  it('takes sent values, fills defaults, leaves optional ones without default out', () => {
    assert.deepEqual(
      [...resolveVariables('p', vars, { text: 'hi' })],
      [
        ['text', 'hi'],
        ['lang', 'English'],
      ],
    );
    assert.deepEqual(
      resolveVariables('p', vars, { text: '', lang: 'French', note: 'n' }).get('lang'),
      'French',
    );
  });

  it('writes numbers and booleans as JSON does', () => {
    const v = resolveVariables('p', vars, { text: 3.5, lang: true, note: -0 });
    assert.deepEqual([v.get('text'), v.get('lang'), v.get('note')], ['3.5', 'true', '0']);
  });

  it('names every missing, unknown, mistyped and oversized field at once', () => {
    const err = refusal({ colour: 'red', lang: null, note: { a: 1 }, 'a/b~c': 1 });
    assert.equal(err.code, 'KW_ERR_PROMPT_VARIABLES');
    assert.equal(err.status, 400);
    assert.deepEqual(err.details, [
      { path: '/colour', message: 'is not a variable of this prompt API' },
      { path: '/lang', message: 'must be a string, a number or a boolean' },
      { path: '/note', message: 'must be a string, a number or a boolean' },
      { path: '/a~1b~0c', message: 'is not a variable of this prompt API' },
      { path: '/text', message: 'is required' },
    ]);
    assert.match(err.message, /^variables of prompt API "p" do not match: \/colour is not a variable/);
    assert.match(err.message, /and 2 more$/);
  });

  it('counts max_length in characters, not UTF-16 units', () => {
    assert.equal(resolveVariables('p', vars, { text: '😀😀😀😀😀' }).get('text'), '😀😀😀😀😀');
    assert.deepEqual(refusal({ text: 'abcdef' }).details, [
      { path: '/text', message: 'is longer than 5 characters' },
    ]);
    assert.deepEqual(refusal({ text: Number.NaN }).details?.[0]?.path, '/text');
  });

  it('bounds what it echoes back from a hostile body', () => {
    const body: Record<string, unknown> = { text: 'ok' };
    for (let i = 0; i < 1000; i++) body[`x${i}`] = 1;
    body['y'.repeat(10_000)] = 1;
    const err = refusal(body);
    assert.equal(err.details?.length, 32);
    assert.ok(err.message.length < 300);
    const long = refusal({ text: 'ok', ['z'.repeat(10_000)]: 1 });
    assert.ok((long.details?.[0]?.path.length ?? 0) < 80);
  });
});
