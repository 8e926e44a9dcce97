import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywayError } from '../core/errors.js';
import { fileSchema, listSettings } from '../core/settings-schema.js';
import { loadSettings, nodeSettingsSchema } from './settings.js';

function withFile(text: string, run: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'kw-settings-'));
  try {
    const file = join(dir, 'keyway.yaml');
    writeFileSync(file, text);
    run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const refusal = (field: string) => (err: unknown) =>
  err instanceof KeywayError && err.message.includes(field);

describe('node settings from one schema', () => {
  it('derives the file keys and the variables from the same declaration', () => {
    const all = listSettings(nodeSettingsSchema);
    const byEnv = new Map(all.map((s) => [s.env, s.fileKey]));
    assert.equal(byEnv.get('KEYWAY_PROXY_TLS_LISTEN'), 'proxy.tls.listen');
    assert.equal(byEnv.get('KEYWAY_CAPTURE_BODIES'), 'observability.capture_bodies');
    assert.equal(byEnv.get('KEYWAY_OTEL_HEADERS'), 'observability.otel_headers');
    assert.equal(byEnv.get('KEYWAY_SECRET'), undefined, 'the secret is not a file key');
    const envs = all.map((s) => s.env).filter((e) => e !== undefined);
    assert.equal(new Set(envs).size, envs.length, 'one variable per setting');
    const schema = fileSchema(nodeSettingsSchema) as { properties: Record<string, unknown> };
    assert.ok('observability' in schema.properties && !('secret' in schema.properties));
  });

  it('has the documented defaults', () => {
    const s = loadSettings({ env: {} });
    assert.deepEqual(s.proxy.listen, { host: '0.0.0.0', port: 8000 });
    assert.deepEqual(s.admin.listen, { host: '127.0.0.1', port: 8001 });
    assert.equal(s.proxy.tls, undefined);
    assert.equal(s.redis_prefix, 'keyway:');
    assert.equal(s.key_cache_size, 100_000);
    assert.equal(s.observability.records, true);
    assert.deepEqual(s.observability.sinks, ['store']);
    assert.equal(s.observability.otel, undefined);
    // The login lockout and throttle, as they were before they were settings.
    assert.deepEqual(s.admin.login, {
      max_failures: 5,
      lockout_ms: 900_000,
      ip_max_failures: 20,
      ip_window_ms: 900_000,
    });
  });

  it('refuses a bad login figure at start, naming the setting and where it came from', () => {
    assert.throws(
      () => loadSettings({ env: { KEYWAY_ADMIN_LOGIN_MAX_FAILURES: '0' } }),
      refusal('admin.login.max_failures'),
    );
    assert.throws(
      () => loadSettings({ env: { KEYWAY_ADMIN_LOGIN_IP_WINDOW_MS: '10s' } }),
      refusal('admin.login.ip_window_ms'),
    );
    withFile('admin:\n  login:\n    lockout_ms: 5\n', (file) =>
      assert.throws(() => loadSettings({ configFile: file, env: {} }), refusal('admin.login.lockout_ms')),
    );
    const s = loadSettings({ env: { KEYWAY_ADMIN_LOGIN_IP_MAX_FAILURES: '50' } });
    assert.equal(s.admin.login.ip_max_failures, 50);
  });

  it('lays the environment over the file, an empty variable counting as unset', () => {
    withFile(
      [
        'proxy:',
        '  listen: 127.0.0.1:9000',
        '  max_uri_bytes: 4096',
        'observability:',
        '  records: false',
        '',
      ].join('\n'),
      (file) => {
        const s = loadSettings({
          configFile: file,
          env: { KEYWAY_MAX_URI_BYTES: '2048', KEYWAY_PROXY_LISTEN: '' },
        });
        assert.equal(s.proxy.max_uri_bytes, 2048);
        assert.deepEqual(s.proxy.listen, { host: '127.0.0.1', port: 9000 });
        assert.equal(s.observability.records, false);
      },
    );
  });

  it('names the key and where a bad value came from: file and line, or variable', () => {
    withFile('log:\n  level: info\nproxy:\n  max_uri_bytes: 10\n', (file) => {
      assert.throws(
        () => loadSettings({ configFile: file, env: {} }),
        refusal(`${file}:4: proxy.max_uri_bytes`),
      );
    });
    withFile('proxy:\n  listen: 1.2.3.4:80\n  nonsense: 1\n', (file) => {
      assert.throws(() => loadSettings({ configFile: file, env: {} }), refusal(`${file}:3: proxy.nonsense`));
    });
    withFile('proxy: [\n', (file) => {
      assert.throws(() => loadSettings({ configFile: file, env: {} }), refusal(file));
    });
    assert.throws(
      () => loadSettings({ env: { KEYWAY_MAX_URI_BYTES: 'lots' } }),
      refusal('proxy.max_uri_bytes (KEYWAY_MAX_URI_BYTES)'),
    );
    assert.throws(() => loadSettings({ env: { KEYWAY_RECORDS: 'maybe' } }), refusal('KEYWAY_RECORDS'));
    assert.throws(
      () => loadSettings({ env: { KEYWAY_KEY_CACHE_SIZE: '0' } }),
      refusal('KEYWAY_KEY_CACHE_SIZE'),
    );
  });

  it('never repeats the value of a setting that may hold a password', () => {
    assert.throws(
      () => loadSettings({ env: { KEYWAY_DATABASE_URL: 'mysql://u:hunter2@db/x' } }),
      (err: unknown) =>
        err instanceof KeywayError &&
        err.message.includes('KEYWAY_DATABASE_URL') &&
        !err.message.includes('hunter2'),
    );
  });

  it('checks settings together: the TLS pair, the file sink, tracing for spans', () => {
    assert.throws(
      () => loadSettings({ env: { KEYWAY_TLS_CERT: '/x.crt' } }),
      (err: unknown) =>
        err instanceof KeywayError && err.code === 'KW_ERR_TLS_CONFIG' && /proxy\.tls\.key/.test(err.message),
    );
    assert.throws(
      () => loadSettings({ env: { KEYWAY_RECORD_SINKS: 'file' } }),
      refusal('observability.record_file'),
    );
    withFile('observability:\n  otel_endpoint: http://c:4318/v1/traces\n  trace: "off"\n', (file) => {
      assert.throws(
        () => loadSettings({ configFile: file, env: {} }),
        refusal(`${file}:3: observability.trace`),
      );
    });
  });
});
