/**
 * Plugin secrets as an operator meets them, against a real `keyway start`: a YAML file gives the
 * jwt-auth HMAC key and the oauth2-introspection client secret in clear; the node seals them, the data
 * plane still verifies an HS256 token and introspects with the client secret (a real introspection
 * server checks it), `keyway export` writes them sealed, applying that export changes nothing and keeps
 * them working, and nothing — answers, CLI output, node output, database file — shows them. A data
 * directory written by an older release, with the secrets in clear, is sealed when the node starts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { openStore } from '../../src/store/open-store.js';
import { hmacToken, now } from '../auth/support/keys.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';

const HS_SECRET = 'e2e-hs256-PLAINTEXT-5e1f0c9b8a7d6e5f4a3b2c1d';
const CLIENT_SECRET = 'e2e-client-PLAINTEXT-9a8b7c6d';
const ISS = 'https://idp.e2e.example';
const AUD = 'weather-api';
const SERVER_SECRET = 'e2e-plugin-secrets-server-secret-0123456789';

function yaml(asUrl: string, backend: string): string {
  return [
    '_format_version: "1"',
    'services:',
    '  - name: weather',
    `    url: http://${backend}`,
    '    routes:',
    '      - name: weather',
    '        paths: [/weather]',
    '    plugins:',
    '      - name: jwt-auth',
    '        config:',
    '          issuers:',
    `            - issuer: ${ISS}`,
    '              keys:',
    `                - { kid: hs-1, secret: ${HS_SECRET} }`,
    `          audiences: [${AUD}]`,
    '      - name: oauth2-introspection',
    '        config:',
    `          endpoint: ${asUrl}/introspect`,
    '          client_id: keyway',
    `          client_secret: ${CLIENT_SECRET}`,
    'consumers:',
    '  - username: partner',
    '',
  ].join('\n');
}

describe('plugin secrets end to end', () => {
  let as: TestServer;
  let backend: TestServer;
  let kw: KeywayProcess;
  let dir: string;
  let env: Record<string, string>;
  /** What the introspection server was sent as client credentials, per call. */
  const presented: string[] = [];
  /** Everything the CLI and the admin API printed or answered, searched for secrets at the end. */
  const shown: string[] = [];

  before(async () => {
    as = await startServer((req, res) => {
      presented.push(req.headers.authorization ?? '');
      req.resume().on('end', () => {
        const expected = `Basic ${Buffer.from(`keyway:${CLIENT_SECRET}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ active: true, sub: 'partner', exp: now() + 600 }));
      });
    });
    backend = await startEcho('weather-backend');
    kw = await startKeyway({ env: { KEYWAY_SECRET: SERVER_SECRET, KEYWAY_LOG_LEVEL: 'info' } });
    dir = mkdtempSync(join(tmpdir(), 'keyway-plugin-secrets-'));
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
  });
  after(async () => {
    try {
      await kw.stop();
    } finally {
      await as.close();
      await backend.close();
    }
  });

  async function cli(args: string[]) {
    const res = await runCli(args, env);
    shown.push(res.stdout, res.stderr);
    return res;
  }

  async function call(token: string): Promise<number> {
    const res = await request(`${kw.proxyUrl}/weather/today`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.body.dump();
    return res.statusCode;
  }

  const hs256 = () =>
    hmacToken(
      { alg: 'HS256', kid: 'hs-1' },
      { iss: ISS, aud: AUD, sub: 'partner', exp: now() + 60 },
      HS_SECRET,
    );

  /** The data plane picks changes up within a poll; wait for the expected answer rather than a time. */
  async function eventually(token: string, status: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    let last = 0;
    while ((last = await call(token)) !== status) {
      if (Date.now() > deadline) assert.fail(`expected ${status}, still ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('applies a file with the secrets in clear; the data plane verifies HS256 and introspects', async () => {
    const file = join(dir, 'weather.yaml');
    writeFileSync(file, yaml(`http://${as.address}`, backend.address));
    const applied = await cli(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    await eventually(hs256(), 200);
    assert.equal(await call('opaque-token-1'), 200, 'introspected with the client secret');
    assert.ok(presented.length > 0);
    assert.equal(
      await call(
        hmacToken(
          { alg: 'HS256', kid: 'hs-1' },
          { iss: ISS, aud: AUD, sub: 'partner', exp: now() + 60 },
          'another-secret-of-more-than-32-bytes!!',
        ),
      ),
      401,
    );

    const again = await cli(['apply', '-f', file]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /no changes/);
  });

  it('shows the secrets only as sealed in the admin API', async () => {
    const res = await request(`${kw.adminUrl}/plugins`, { headers: { authorization: `Bearer ${kw.token}` } });
    const text = await res.body.text();
    shown.push(text);
    assert.equal(res.statusCode, 200);
    assert.match(text, /"client_secret":\{"sealed":true,"id":"[A-Za-z0-9_-]+"\}/);
    assert.match(text, /"secret":\{"sealed":true,"id":"[A-Za-z0-9_-]+"\}/);
  });

  it('exports them sealed, and applying the export changes nothing and keeps them working', async () => {
    const out = join(dir, 'exported.yaml');
    const exported = await cli(['export', '-o', out]);
    assert.equal(exported.code, 0, exported.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /secret_enc: kwenc1\./);
    assert.ok(!text.includes(HS_SECRET) && !text.includes(CLIENT_SECRET), 'no secret in clear in the export');

    const applied = await cli(['apply', '-f', out]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /no changes/);
    assert.equal(await call(hs256()), 200);
    assert.equal(await call('opaque-token-2'), 200);
  });

  it('never shows a secret: CLI output, answers, node output and database file', async () => {
    for (const text of [...shown, kw.output()]) {
      assert.ok(!text.includes(HS_SECRET) && !text.includes(CLIENT_SECRET), 'a secret in clear was shown');
    }
    for (const file of readdirSync(kw.dataDir)) {
      const bytes = readFileSync(join(kw.dataDir, file));
      assert.equal(bytes.includes(HS_SECRET), false, `${file} holds the HMAC key`);
      assert.equal(bytes.includes(CLIENT_SECRET), false, `${file} holds the client secret`);
    }
  });

  it('seals at start the secrets an older release left in clear, and keeps serving with them', async () => {
    assert.equal(await kw.stop(), 0);
    // What a release without sealing left in the data directory: the same plugins, secrets in clear.
    const store = await openStore({ dataDir: kw.dataDir });
    try {
      await store.write(async (tx) => {
        const ws = await tx.loadWorkspace('default');
        const plugin = ws?.plugins.find((p) => p.name === 'oauth2-introspection');
        assert.ok(plugin?.config);
        const { id, created_at: _c, updated_at: _u, ...fields } = plugin;
        await tx.update('plugins', 'default', id, {
          ...fields,
          config: { ...plugin.config, client_secret: CLIENT_SECRET },
        });
      });
    } finally {
      await store.close();
    }
    assert.ok(readdirSync(kw.dataDir).some((f) => readFileSync(join(kw.dataDir, f)).includes(CLIENT_SECRET)));

    kw = await startKeyway({
      dataDir: kw.dataDir,
      env: { KEYWAY_SECRET: SERVER_SECRET, KEYWAY_LOG_LEVEL: 'info' },
    });
    assert.match(kw.stdout(), /sealed plugin secrets that were stored in clear/);
    await eventually('opaque-token-3', 200);
    assert.equal(await call(hs256()), 200);
    const db = await openStore({ dataDir: kw.dataDir });
    try {
      const rows = JSON.stringify(await db.read((tx) => tx.loadWorkspace('default')));
      assert.ok(!rows.includes(CLIENT_SECRET), 'the clear secret is gone from the store');
      assert.match(rows, /"client_secret":\{"secret_enc":"kwenc1\./);
    } finally {
      await db.close();
    }
  });
});
