// The node as an operator runs it: TLS listener, a store on PostgreSQL shared by two nodes, bad settings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { request } from 'undici';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function configure(kw: KeywayProcess, service: object, route: object): Promise<void> {
  const headers = { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' };
  const s = await request(`${kw.adminUrl}/services`, {
    method: 'POST',
    headers,
    body: JSON.stringify(service),
  });
  assert.equal(s.statusCode, 201, await s.body.text());
  const r = await request(`${kw.adminUrl}/routes`, { method: 'POST', headers, body: JSON.stringify(route) });
  assert.equal(r.statusCode, 201, await r.body.text());
}

describe('node lifecycle', () => {
  let echo: TestServer;
  before(async () => {
    echo = await startEcho('backend');
  });
  after(async () => {
    await echo.close();
  });

  it('serves HTTPS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-tls-'));
    const key = join(dir, 'tls.key');
    const cert = join(dir, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const kw = await startKeyway({
      env: { KEYWAY_TLS_CERT: cert, KEYWAY_TLS_KEY: key, KEYWAY_PROXY_TLS_LISTEN: '127.0.0.1:0' },
    });
    try {
      assert.ok(kw.proxyTlsUrl !== undefined, kw.output());
      await configure(
        kw,
        { name: 'tls', url: `http://${echo.address}` },
        { name: 'tls', service: 'tls', paths: ['/tls'] },
      );
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${kw.proxyTlsUrl}/tls/x`, { ca: readFileSync(cert) }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      const echoed = JSON.parse(body) as Echo;
      assert.equal(echoed.headers['x-forwarded-proto'], 'https');
      assert.equal(echoed.url, '/x');
    } finally {
      await kw.stop();
    }
  });

  it('refuses to start on unreadable settings, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-bad-'));
    const file = join(dir, 'keyway.yaml');
    writeFileSync(file, 'proxy:\n  listen: "not-an-address"\n');
    const r = await runCli(['start', '--config', file], { KEYWAY_DATA_DIR: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /KW_ERR_NODE_CONFIG|proxy/);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'proxi:\n  listen: 127.0.0.1:0\n');
    const u = await runCli(['start', '--config', unknown], { KEYWAY_DATA_DIR: dir });
    assert.equal(u.code, 1);
    assert.match(u.stderr + u.stdout, /proxi/);
  });

  it('exits non-zero when the store is unreachable, without printing the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-nostore-'));
    const r = await runCli(['start'], {
      KEYWAY_DATA_DIR: dir,
      KEYWAY_DATABASE_URL: 'postgres://keyway:s3cr3t-pw@127.0.0.1:1/keyway',
      KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
      KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
      KEYWAY_PORTAL_LISTEN: 'off',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /KW_ERR_STORE_UNAVAILABLE|unreachable/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cr3t-pw/);
  });
});

describe('two nodes sharing PostgreSQL', () => {
  const dbName = `keyway_e2e_${randomBytes(4).toString('hex')}`;
  let admin: pg.Client;
  let echo: TestServer;
  let a: KeywayProcess | undefined;
  let b: KeywayProcess | undefined;

  before(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const url = new URL(PG_URL);
    url.pathname = `/${dbName}`;
    echo = await startEcho('shared');
    const env = { KEYWAY_DATABASE_URL: url.toString(), KEYWAY_POLL_INTERVAL_MS: '200' };
    // The first node creates the admin token (its hash goes to the shared store, the token to a file);
    // the second finds a token in the store and creates none.
    a = await startKeyway({ env });
    b = await startKeyway({ env, dataDir: a.dataDir });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await echo.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  it('a change made on one node is served by the other', async () => {
    assert.ok(a !== undefined && b !== undefined);
    await configure(
      a,
      { name: 'shared', url: `http://${echo.address}` },
      { name: 'shared', service: 'shared', paths: ['/shared'] },
    );
    // Node b learns of the change by polling the config version; wait for it, bounded.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      const res = await request(`${b.proxyUrl}/shared/x`);
      status = res.statusCode;
      await res.body.dump();
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200);
  });
});
