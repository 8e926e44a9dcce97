/**
 * Every secret-bearing field of every built-in plugin is declared in its schema where the secret walker
 * finds it, and the list of them is the one docs/plugins.md gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET_KEYWORD, secretLabels } from '../core/secret-fields.js';
import { SecretBox } from '../keys/secret-box.js';
import { listPlugins, openPluginSecrets } from './registry.js';

/** Every `x-keyway-secret` anywhere in a schema, reachable or not. */
function marks(schema: unknown): number {
  if (Array.isArray(schema)) return schema.reduce((n: number, s) => n + marks(s), 0);
  if (typeof schema !== 'object' || schema === null) return 0;
  const own = SECRET_KEYWORD in schema ? 1 : 0;
  return own + Object.values(schema).reduce((n: number, s) => n + marks(s), 0);
}

test('every secret mark of every plugin is where the walker looks', () => {
  for (const p of listPlugins()) {
    assert.equal(
      secretLabels(p.configSchema).length,
      marks(p.configSchema),
      `${p.name}: a mark the walker misses`,
    );
  }
});

test('the secret fields of the built-in plugins', () => {
  const found = Object.fromEntries(
    listPlugins()
      .map((p) => [p.name, secretLabels(p.configSchema)] as const)
      .filter(([, labels]) => labels.length > 0),
  );
  const jwk = ['k', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'oth/*/r', 'oth/*/d', 'oth/*/t'];
  assert.deepEqual(found, {
    'jwt-auth': [
      'issuers/*/keys/*/pem',
      ...jwk.map((m) => `issuers/*/keys/*/jwk/${m}`),
      'issuers/*/keys/*/secret',
    ],
    'oauth2-introspection': ['client_secret'],
  });
});

test('secret_env references are read from the environment the node gave its secret box', () => {
  const stored = { endpoint: 'https://idp.example/introspect', client_secret: { secret_env: 'KW_TEST_IDP' } };
  const given = openPluginSecrets('oauth2-introspection', stored, {
    box: new SecretBox(Buffer.alloc(32, 1), { KW_TEST_IDP: 's3cret' }),
  });
  assert.deepEqual(given.details, []);
  assert.equal(given.config['client_secret'], 's3cret');
  // Another node's box (or none) does not have the variable: named, never guessed from the process.
  const other = openPluginSecrets('oauth2-introspection', stored, {
    box: new SecretBox(Buffer.alloc(32, 1)),
  });
  assert.deepEqual(other.details, [
    { path: '/config/client_secret', message: 'environment variable KW_TEST_IDP is not set' },
  ]);
});
