// A road in from Kong: a decK file in the shapes Kong's documentation shows is converted by
// `keyway import kong`, applied with `keyway apply` to a real node, and its Kong keys, JWT credential,
// ACL groups and rate limit keep working as they did on Kong.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';

const ALICE_KEY = 'alice-kong-key-0001';
const BOB_KEY = 'bob-kong-key-0002';
const JWT_SECRET = 'a-kong-jwt-secret-of-32-bytes-or-more';

function deckFile(backend: string): string {
  return `_format_version: "3.0"
services:
  - name: orders
    url: http://${backend}
    plugins:
      - name: key-auth
        config:
          key_names: [x-api-key]
          hide_credentials: true
      - name: rate-limiting
        config:
          minute: 3
          limit_by: consumer
          policy: local
    routes:
      - name: orders
        paths: [/orders]
      - name: admin
        paths: [/admin]
        plugins:
          - name: acl
            config:
              allow: [admins]
  - name: reports
    url: http://${backend}
    routes:
      - name: reports
        paths: [/reports]
        plugins:
          - name: jwt
consumers:
  - username: alice
    keyauth_credentials:
      - key: ${ALICE_KEY}
    acls:
      - group: admins
    jwt_secrets:
      - key: alice-issuer
        algorithm: HS256
        secret: ${JWT_SECRET}
  - username: bob
    keyauth_credentials:
      - key: ${BOB_KEY}
`;
}

describe('keyway import kong, then keyway apply', () => {
  let backend: TestServer;
  let kw: KeywayProcess;
  let env: Record<string, string>;
  let dir: string;
  let importErr = '';

  const call = async (path: string, headers: Record<string, string> = {}) => {
    const res = await request(`${kw.proxyUrl}${path}`, { headers });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  };

  before(async () => {
    backend = await startEcho('kong-backend');
    kw = await startKeyway();
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    dir = mkdtempSync(join(tmpdir(), 'keyway-kong-'));
    writeFileSync(join(dir, 'kong.yaml'), deckFile(backend.address));
    // Offline: no admin URL, no token.
    const imported = await runCli([
      'import',
      'kong',
      '-f',
      join(dir, 'kong.yaml'),
      '-o',
      join(dir, 'keyway.yaml'),
      '--jwt-audience',
      'reports-api',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    importErr = imported.stderr;
    const applied = await runCli(['apply', '-f', join(dir, 'keyway.yaml')], env);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    assert.match(applied.stdout, /keys: 2 imported/);
    for (const secret of [ALICE_KEY, BOB_KEY, JWT_SECRET]) assert.ok(!applied.stdout.includes(secret));
    // The configuration reaches the data plane asynchronously: wait for the route to answer 401.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await call('/orders')).status !== 401) await sleep(50);
  });
  after(async () => {
    await kw.stop();
    await backend.close();
  });

  it('reports what differs, never a key or a secret, and writes the file for its owner only', () => {
    assert.match(
      importErr,
      /kong\.yaml:\d+:\d+: services\[0\]\.plugins\[1\] \(rate-limiting\): converted with a difference/,
    );
    assert.match(importErr, /not converted 0|0 not converted/);
    for (const secret of [ALICE_KEY, BOB_KEY, JWT_SECRET]) assert.ok(!importErr.includes(secret));
    assert.equal(statSync(join(dir, 'keyway.yaml')).mode & 0o777, 0o600);
  });

  it('a Kong key authenticates in the header and query parameter Kong read it from; none → 401', async () => {
    const ok = await call('/orders', { 'x-api-key': ALICE_KEY });
    assert.equal(ok.status, 200, ok.text);
    const echo = JSON.parse(ok.text) as Echo;
    assert.equal(echo.headers['x-consumer-username'], 'alice');
    assert.equal(echo.headers['x-api-key'], undefined, 'hide_credentials');
    assert.equal((await call(`/orders?x-api-key=${ALICE_KEY}`)).status, 200);
    assert.equal((await call('/orders')).status, 401);
    assert.equal((await call('/orders', { 'x-api-key': 'not-a-kong-key-at-all' })).status, 401);
  });

  it('enforces the ACL groups: alice (admins) passes, bob gets 403', async () => {
    assert.equal((await call('/admin', { 'x-api-key': ALICE_KEY })).status, 200);
    const bob = await call('/admin', { 'x-api-key': BOB_KEY });
    assert.equal(bob.status, 403);
    assert.match(bob.text, /KW_ERR_ROLE_REQUIRED/);
  });

  it('refuses the 4th request of a minute with 429, counted across the service’s routes as Kong does', async () => {
    // alice has made 3 counted requests (2 on /orders, 1 on /admin): the limit is 3 per minute.
    const refused = await call('/orders', { 'x-api-key': ALICE_KEY });
    assert.equal(refused.status, 429, refused.text);
    assert.equal((await call('/admin', { 'x-api-key': ALICE_KEY })).status, 429);
    // Counted per consumer: bob has his own 3.
    assert.equal((await call('/orders', { 'x-api-key': BOB_KEY })).status, 200);
  });

  it('a token signed with the Kong jwt credential identifies its consumer', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('alice-issuer')
      .setAudience('reports-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const ok = await call('/reports', { authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((JSON.parse(ok.text) as Echo).headers['x-consumer-username'], 'alice');
    assert.equal((await call('/reports')).status, 401);
  });

  it('applies again with no change, and export writes no keys', async () => {
    const again = await runCli(['apply', '-f', join(dir, 'keyway.yaml'), '--dry-run', '--exit-code'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const exported = await runCli(['export'], env);
    assert.equal(exported.code, 0, exported.stderr);
    for (const secret of [ALICE_KEY, BOB_KEY, JWT_SECRET]) assert.ok(!exported.stdout.includes(secret));
    assert.ok(readFileSync(join(dir, 'keyway.yaml'), 'utf8').includes(ALICE_KEY));
  });
});

describe('keyway import kong: input it refuses, templates, JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-kong-cli-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('refuses a file that is not decK 3.x at its line, writing nothing', async () => {
    const file = write('old.yaml', '_format_version: "1.1"\nservices: []\n');
    const r = await runCli(['import', 'kong', '-f', file, '-o', join(dir, 'never.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /old\.yaml:1:\d+: _format_version: is "1\.1", not a decK 3\.x format/);
    assert.match(r.stderr, /nothing converted/);
    const shape = write(
      'shape.yaml',
      '_format_version: "3.0"\nservices:\n  - name: a\n    url: http://a\n    rotes: []\n',
    );
    const s = await runCli(['import', 'kong', '-f', shape]);
    assert.equal(s.code, 1);
    assert.match(s.stderr, /shape\.yaml:5:5: services\[0\]\.rotes: is not a field Kong knows here/);
    const yaml = await runCli(['import', 'kong', '-f', write('bad.yaml', 'a: [\n')]);
    assert.equal(yaml.code, 1);
    assert.match(yaml.stderr, /not valid YAML/);
    const source = await runCli(['import', 'tyk', '-f', file]);
    assert.equal(source.code, 2);
    assert.match(source.stderr, /cannot import from "tyk": the sources are kong/);
  });

  it('fills decK environment templates, and --json gives the document and the report', async () => {
    const file = write(
      'env.yaml',
      [
        '_format_version: "3.0"',
        'services:',
        '  - name: a',
        '    url: http://a.internal',
        '    routes: [{ name: a, paths: [/a] }]',
        '    plugins: [{ name: proxy-cache }]',
        'consumers:',
        '  - username: c',
        '    keyauth_credentials: [{ key: ${{ env "DECK_C_KEY" }} }]',
        '',
      ].join('\n'),
    );
    const missing = await runCli(['import', 'kong', '-f', file]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /line 9: environment variable DECK_C_KEY is not set/);
    const r = await runCli(['import', 'kong', '-f', file, '--json'], { DECK_C_KEY: 'key-from-the-env-1' });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      document: { consumers: { apps: { keys: { key: string }[] }[] }[] };
      report: { line: number; path: string; kind: string; what: string }[];
    };
    assert.equal(out.document.consumers[0]?.apps[0]?.keys[0]?.key, 'key-from-the-env-1');
    assert.deepEqual(out.report, [
      {
        line: 6,
        col: 15,
        path: '/services/0/plugins/0',
        kind: 'dropped',
        what: 'proxy-cache',
        reason: 'Keyway has no response cache yet',
      },
    ]);
  });
});
