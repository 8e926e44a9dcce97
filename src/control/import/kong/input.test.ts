// Bad input: not decK 3.x, unknown fields, wrong types — one error naming every place, nothing converted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywayError } from '../../../core/errors.js';
import { formatNote, importKong } from './index.js';

function refusal(input: unknown): KeywayError {
  try {
    importKong('kong.yaml', input);
  } catch (err) {
    assert.ok(err instanceof KeywayError, String(err));
    assert.equal(err.code, 'KW_ERR_CONFIG_FILE');
    return err;
  }
  assert.fail('expected a refusal');
}

describe('kong import: bad input', () => {
  it('refuses a file that is not decK 3.x, saying what it is', () => {
    assert.match(refusal({ services: [] }).message, /_format_version: is missing/);
    assert.match(
      refusal({ _format_version: '1.1' }).message,
      /"1\.1", not a decK 3\.x format.*deck file convert/,
    );
    assert.match(refusal({ _format_version: '1' }).message, /looks like a Keyway file already/);
    assert.match(refusal(['a list']).message, /must be a mapping/);
  });

  it('names every unknown field and wrong type, with its place', () => {
    const err = refusal({
      _format_version: '3.0',
      services: [
        { name: 'a', url: 'http://a', routes: [{ name: 'r', paths: '/a', strip_pth: true }] },
        { name: 'b', url: 'not a url' },
      ],
      consumers: [{ username: 'c', keyauth_credentials: [{ key: 42 }] }],
      upstream: [],
    });
    const paths = (err.details ?? []).map((d) => `${d.path}: ${d.message}`);
    assert.deepEqual(
      paths.sort(),
      [
        '/consumers/0/keyauth_credentials/0/key: must be a string',
        '/services/0/routes/0/paths: must be a list',
        '/services/0/routes/0/strip_pth: is not a field Kong knows here',
        '/services/1/url: is not a URL',
        '/upstream: is not a field Kong knows here',
      ].sort(),
    );
    assert.match(
      err.message,
      /^kong\.yaml: not a decK file Keyway can read: upstream: is not a field Kong knows here \(and 4 more\)$/,
    );
  });

  it('never quotes a key or a secret in an error', () => {
    const err = refusal({
      _format_version: '3.0',
      consumers: [{ username: 'c', keyauth_credentials: [{ key: 'secret-value-123', ttl: 'soon' }] }],
    });
    assert.ok(!JSON.stringify({ m: err.message, d: err.details }).includes('secret-value-123'));
  });

  it('reports, rather than refuses, references to what the file does not hold (decK files may be split)', () => {
    const { notes } = importKong('kong.yaml', {
      _format_version: '3.0',
      routes: [
        { name: 'r', service: 'ghost', paths: ['/r'] },
        { name: 'lonely', paths: ['/x'] },
      ],
      plugins: [
        { name: 'key-auth', consumer: { username: 'nobody' } },
        { name: 'key-auth', route: 'lonely' },
      ],
    });
    assert.deepEqual(notes.map(formatNote), [
      'routes[0].service (route): not converted: names a service this file does not hold',
      'routes[1] (route): not converted: a route without a service: Keyway routes lead to a service (give it one, with request-termination if it only answers)',
      'plugins[0].consumer (key-auth): not converted: names a consumer this file does not hold',
    ]);
  });
});
