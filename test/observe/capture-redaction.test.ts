/**
 * The pieces of body capture on their own: the JSON redactor on whole texts and on prefixes, field-name
 * rules, the credentials a request presented, content kinds — and the capture and OpenTelemetry settings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KeywayError } from '../../src/core/errors.js';
import { BodyPrefix } from '../../src/observe/capture/body-tap.js';
import { describeBody } from '../../src/observe/capture/captured-body.js';
import { contentKind } from '../../src/observe/capture/content-kind.js';
import { redactJson } from '../../src/observe/capture/json-redact.js';
import { PresentedCredentials } from '../../src/observe/capture/presented-credentials.js';
import { credentialHeaderName, SensitiveNames } from '../../src/observe/capture/sensitive-names.js';
import { loadObserveSettings, otlpHeaders } from '../../src/observe/observe-settings.js';
import { loadSettings } from '../../src/server/settings.js';

const names = new SensitiveNames(['ssn']);
const sensitive = (n: string): boolean => names.field(n);

describe('JSON redaction', () => {
  it('redacts every kind of value under a sensitive key, at any depth, and keeps the rest as written', () => {
    const text = `{
  "user": "ann",
  "password": "p\\"w",
  "pin": 1234,
  "nested": [ { "api_key": null, "items": [1, {"token": {"a": [1, 2]}}] }, {"secret": [true, "x"]} ],
  "max_tokens": 50, "SSN": "1-2-3", "new_pass\\u0077ord": "x"
}`;
    const r = redactJson(text, sensitive, true);
    assert.equal(r.valid, true);
    assert.deepEqual(JSON.parse(r.text), {
      user: 'ann',
      password: '[redacted]',
      pin: 1234,
      nested: [{ api_key: '[redacted]', items: [1, { token: '[redacted]' }] }, { secret: '[redacted]' }],
      max_tokens: 50,
      SSN: '[redacted]',
      new_password: '[redacted]',
    });
    assert.ok(r.text.startsWith('{\n  "user": "ann",\n  "password": "[redacted]",'), 'layout kept');
  });

  it('accepts a prefix: a cut sensitive value is redacted to the end, a cut key or plain value kept', () => {
    assert.deepEqual(redactJson('{"a":{"client_secret":{"x":"abc', sensitive, false), {
      text: '{"a":{"client_secret":"[redacted]"',
      valid: true,
    });
    assert.deepEqual(redactJson('{"a":"hello wor', sensitive, false), {
      text: '{"a":"hello wor',
      valid: true,
    });
    assert.deepEqual(redactJson('{"a":1,"passw', sensitive, false), { text: '{"a":1,"passw', valid: true });
    assert.deepEqual(redactJson('[{"token":12', sensitive, false), {
      text: '[{"token":"[redacted]"',
      valid: true,
    });
  });

  it('tells JSON from non-JSON', () => {
    assert.equal(redactJson('not json', sensitive, true).valid, false);
    assert.equal(redactJson('{"a":1} trailing', sensitive, true).valid, false);
    assert.equal(redactJson('{"a":1', sensitive, true).valid, false, 'a whole body must be complete');
    assert.equal(redactJson('{"a" 1}', sensitive, true).valid, false);
    assert.equal(redactJson('{"a":tru}', sensitive, true).valid, false);
    assert.equal(redactJson('123', sensitive, true).valid, true);
    assert.equal(redactJson('  "x" ', sensitive, true).valid, true);
  });

  it('survives deep nesting without recursion', () => {
    const deep = '['.repeat(200_000);
    assert.equal(redactJson(deep, sensitive, false).valid, true);
    const closed = `${'{"a":'.repeat(50_000)}{"password":"x"}${'}'.repeat(50_000)}`;
    const r = redactJson(closed, sensitive, true);
    assert.equal(r.valid, true);
    assert.ok(r.text.includes('{"password":"[redacted]"}'));
  });
});

describe('credential names', () => {
  it('knows credential fields without catching AI parameters', () => {
    for (const n of [
      'password',
      'new_password',
      'apiKey',
      'x-api-key',
      'client_secret',
      'refreshToken',
      'key',
      'SSN',
    ])
      assert.equal(names.field(n), true, n);
    for (const n of ['max_tokens', 'prompt_tokens', 'keyword', 'monkey_business', 'user', 'model'])
      assert.equal(names.field(n), false, n);
  });

  it('knows credential headers by their name’s parts', () => {
    for (const h of ['x-partner-key', 'x-auth-token', 'x-session', 'x-hub-signature', 'x-api-key'])
      assert.equal(credentialHeaderName(h), true, h);
    for (const h of ['x-keyway-prompt-version', 'keep-alive', 'x-request-id', 'content-type'])
      assert.equal(credentialHeaderName(h), false, h);
  });
});

describe('presented credentials', () => {
  const known = new Set(['authorization', 'cookie', 'apikey']);
  it('collects bearer, Basic password, cookies, credential query parameters and stray Keyway keys', () => {
    const kw = 'kw_live_' + 'A'.repeat(43) + '_abcdef';
    const creds = PresentedCredentials.of(
      {
        authorization: `Basic ${Buffer.from('ann:correct-horse').toString('base64')}`,
        cookie: 'sid=session-0123456789; theme=dark',
        'x-custom': `Key ${kw}`,
        'user-agent': 'curl/8.5.0-longer-than-eight',
      },
      '/x?access_token=tok-0123456789&page=2&q=hello-world-long',
      known,
      names,
    );
    assert.ok(creds.values.includes('correct-horse'));
    assert.ok(creds.values.includes('ann:correct-horse'));
    assert.ok(creds.values.includes('session-0123456789'));
    assert.ok(creds.values.includes('tok-0123456789'));
    assert.ok(creds.values.includes(kw));
    assert.ok(!creds.values.includes('dark'), 'short values are not collected');
    assert.ok(!creds.values.some((v) => v.includes('curl')), 'non-credential headers are not collected');
    assert.ok(!creds.values.includes('hello-world-long'), 'non-credential parameters are not collected');
  });

  it('masks them, and a Keyway key anywhere', () => {
    const creds = new PresentedCredentials(['secret-value-1']);
    const other = 'kw_test_' + 'b'.repeat(43) + '_zzzzzz';
    assert.deepEqual(creds.mask(`a secret-value-1 b ${other} c`, false), {
      text: 'a [redacted] b [redacted] c',
      found: true,
    });
    assert.deepEqual(creds.mask('ends with secret-va', true), { text: 'ends with [redacted]', found: false });
    assert.deepEqual(creds.mask('ends with secret-va', false).text, 'ends with secret-va');
  });
});

describe('captured bodies', () => {
  const body = (text: string, limit: number): BodyPrefix => {
    const b = new BodyPrefix(limit);
    for (let i = 0; i < text.length; i += 3) b.add(Buffer.from(text.slice(i, i + 3)));
    return b;
  };
  const rules = { names, credentials: new PresentedCredentials([]) };

  it('keep the first bytes, counting all, and never a cut character', () => {
    const b = body('{"city":"Zürich","note":"ok"}', 11);
    assert.equal(b.bytes, Buffer.byteLength('{"city":"Zürich","note":"ok"}'));
    assert.equal(b.truncated, true);
    assert.deepEqual(describeBody(b, 'application/json', undefined, rules), {
      content_type: 'application/json',
      bytes: b.bytes,
      truncated: true,
      text: '{"city":"Z',
    });
  });

  it('are type and size only while too many records wait to be written', () => {
    assert.deepEqual(describeBody(body('{"a":1}', 100), 'application/json', undefined, undefined), {
      content_type: 'application/json',
      bytes: 7,
      omitted: 'backlog',
    });
    assert.equal(describeBody(body('', 100), 'application/json', undefined, rules), null);
  });
});

describe('content kinds', () => {
  it('classifies by type and encoding', () => {
    assert.equal(contentKind('application/json; charset=utf-8', undefined), 'json');
    assert.equal(contentKind('application/problem+json', undefined), 'json');
    assert.equal(contentKind('application/x-www-form-urlencoded', undefined), 'form');
    assert.equal(contentKind('text/event-stream', undefined), 'text');
    assert.equal(contentKind('application/xml', undefined), 'text');
    assert.equal(contentKind('application/json', 'gzip'), 'binary');
    assert.equal(contentKind('multipart/form-data; boundary=x', undefined), 'binary');
    assert.equal(contentKind(undefined, undefined), 'binary');
  });
});

describe('capture and OpenTelemetry settings', () => {
  it('are off by default', () => {
    const s = loadObserveSettings({});
    assert.deepEqual(s.capture, {
      headerRoutes: [],
      bodyRoutes: [],
      bodyBytes: 4096,
      redactHeaders: [],
      redactFields: [],
    });
    assert.equal(s.otel, undefined);
  });

  it('read the capture lists and limits', () => {
    const s = loadObserveSettings({
      KEYWAY_CAPTURE_ROUTES: 'a, b',
      KEYWAY_CAPTURE_BODIES: '*',
      KEYWAY_CAPTURE_BODY_BYTES: '65536',
      KEYWAY_CAPTURE_REDACT_FIELDS: 'ssn,iban',
    });
    assert.deepEqual(s.capture.headerRoutes, ['a', 'b']);
    assert.deepEqual(s.capture.bodyRoutes, ['*']);
    assert.equal(s.capture.bodyBytes, 65536);
    assert.deepEqual(s.capture.redactFields, ['ssn', 'iban']);
    assert.throws(() => loadObserveSettings({ KEYWAY_CAPTURE_BODY_BYTES: '0' }), KeywayError);
  });

  it('read the OpenTelemetry exporter settings', () => {
    const s = loadObserveSettings({
      KEYWAY_OTEL_ENDPOINT: 'https://collector:4318/v1/traces',
      KEYWAY_OTEL_SAMPLE_RATIO: '0.25',
      KEYWAY_OTEL_HEADERS: 'authorization=Bearer%20abc,x-tenant=t1',
    });
    assert.deepEqual(s.otel, {
      endpoint: 'https://collector:4318/v1/traces',
      serviceName: 'keyway',
      sampleRatio: 0.25,
      headers: { authorization: 'Bearer abc', 'x-tenant': 't1' },
    });
  });

  it('refuse bad OpenTelemetry values, naming the variable and never a header value', () => {
    const refused = (env: Record<string, string>, field: string): void => {
      assert.throws(
        () => loadObserveSettings(env),
        (err: unknown) => err instanceof KeywayError && err.message.includes(field),
      );
    };
    refused({ KEYWAY_OTEL_ENDPOINT: 'collector:4318' }, 'KEYWAY_OTEL_ENDPOINT');
    refused(
      { KEYWAY_OTEL_ENDPOINT: 'http://c/v1/traces', KEYWAY_OTEL_SAMPLE_RATIO: '1.5' },
      'KEYWAY_OTEL_SAMPLE_RATIO',
    );
    refused({ KEYWAY_OTEL_ENDPOINT: 'http://c/v1/traces', KEYWAY_TRACE: 'off' }, 'KEYWAY_TRACE');
    assert.throws(
      () => otlpHeaders('authorization=Bearer%zzsecret-value'),
      (err: unknown) => err instanceof KeywayError && !err.message.includes('secret-value'),
    );
  });

  it('come from the config file too, under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-observe-'));
    try {
      const file = join(dir, 'keyway.yaml');
      writeFileSync(
        file,
        [
          'observability:',
          '  metrics: false',
          '  capture_bodies: [billing, weather]',
          '  capture_body_bytes: 1024',
          '  otel_endpoint: http://collector:4318/v1/traces',
          '  otel_sample_ratio: 0.5',
          '  otel_headers: { authorization: Bearer abc, x-tenant: t1 }',
          '',
        ].join('\n'),
      );
      const s = loadSettings({ configFile: file, env: { KEYWAY_CAPTURE_BODY_BYTES: '2048' } }).observability;
      assert.equal(s.metrics, false);
      assert.deepEqual(s.capture.bodyRoutes, ['billing', 'weather']);
      assert.equal(s.capture.bodyBytes, 2048, 'the environment wins');
      assert.deepEqual(s.otel?.headers, { authorization: 'Bearer abc', 'x-tenant': 't1' });
      assert.equal(s.otel?.sampleRatio, 0.5);

      writeFileSync(file, 'observability:\n  metrics: false\n  capture_body_bytes: 0\n');
      assert.throws(
        () => loadSettings({ configFile: file, env: {} }),
        (err: unknown) =>
          err instanceof KeywayError && err.message.includes(`${file}:3: observability.capture_body_bytes`),
      );
      writeFileSync(file, 'observability:\n  capture_everything: true\n');
      assert.throws(() => loadSettings({ configFile: file, env: {} }), KeywayError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
