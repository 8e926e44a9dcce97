import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywayError } from './errors.js';
import { BodyValidationError, RawJson, parseJsonText, readRawJson } from './json-text.js';

const raw = (text: string, schema?: { id: string; schema: object }): RawJson =>
  new RawJson(Buffer.from(text), schema);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KeywayError ? err.code : (err as Error).name;
  }
  return undefined;
}

describe('JSON text parsed off the proxy thread', () => {
  it('measures depth before parsing, so a million-deep body costs a scan of 65 characters', () => {
    assert.equal(
      code(() => parseJsonText('['.repeat(1_000_000))),
      'KW_ERR_BODY_TOO_DEEP',
    );
    assert.deepEqual(parseJsonText('{"a":[1,{"b":null}]}'), { a: [1, { b: null }] });
  });

  it('refuses broken JSON and an empty body as the admin parser does', () => {
    assert.equal(
      code(() => parseJsonText('{"a":')),
      'KW_ERR_VALIDATION',
    );
    assert.equal(
      code(() => readRawJson(raw(''))),
      'KW_ERR_VALIDATION',
    );
  });

  it('refuses prototype-poisoning keys, escaped or nested, and lets look-alikes through', () => {
    for (const text of [
      '{"__proto__":{"x":1}}',
      '{"a":[{"b":{"\\u005f\\u005fproto__":{}}}]}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"a":{"c\\u006fnstructor":{"prototype":{}}}}',
    ])
      assert.equal(
        code(() => parseJsonText(text)),
        'KW_ERR_VALIDATION',
        text,
      );
    // Mentioned as values, or a constructor without a prototype: not poison.
    assert.deepEqual(parseJsonText('{"note":"__proto__","constructor":"x"}'), {
      note: '__proto__',
      constructor: 'x',
    });
    assert.deepEqual(parseJsonText('{"constructor":{"name":"x"}}'), { constructor: { name: 'x' } });
  });

  it("checks the route's body schema and fails as Fastify's validator does (with `validation`)", () => {
    const schema = {
      id: 'test-body',
      schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    };
    assert.deepEqual(readRawJson(raw('{"name":"ok"}', schema)), { name: 'ok' });
    try {
      readRawJson(raw('{"name":5}', schema));
      assert.fail('expected a schema error');
    } catch (err) {
      assert.ok(err instanceof BodyValidationError);
      assert.equal(err.validationContext, 'body');
      assert.equal(err.validation[0]?.instancePath, '/name');
    }
  });
});
