// Journey 3, the bank partner: a real `keyway start` with a TLS listener, the route, consumer, app and
// mtls-auth plugin configured through the admin API; the partner calls with its certificate; a revoked
// certificate is refused once the bank's new CRL is configured.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { TestCa, serverCertificate, tempDir, type Issued } from './pki.js';
import { httpsGet } from './tls-client.js';

describe('bank partner over mTLS (keyway start)', () => {
  let echo: TestServer;
  let kw: KeywayProcess;
  let bank: TestCa;
  let partner: Issued;
  let leaver: Issued;
  let serverCa: string;

  const admin = async (method: string, path: string, body: object): Promise<void> => {
    const res = await request(`${kw.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    assert.ok(
      res.statusCode === 200 || res.statusCode === 201,
      `${method} ${path}: ${res.statusCode} ${text}`,
    );
  };

  before(async () => {
    const dir = tempDir();
    bank = TestCa.root(dir, 'bank', '/C=DE/O=Example Bank/CN=Example Bank Client CA');
    partner = bank.issue('partner', '/C=DE/O=Partner GmbH/CN=payments', {
      sans: ['DNS:payments.partner.example'],
    });
    leaver = bank.issue('leaver', '/C=DE/O=Partner GmbH/CN=old-payments');
    const server = serverCertificate(dir);
    serverCa = readFileSync(server.cert, 'utf8');
    echo = await startEcho('ledger');
    kw = await startKeyway({
      env: {
        KEYWAY_TLS_CERT: server.cert,
        KEYWAY_TLS_KEY: server.key,
        KEYWAY_PROXY_TLS_LISTEN: '127.0.0.1:0',
      },
    });
    await admin('POST', '/services', { name: 'ledger', url: `http://${echo.address}` });
    await admin('POST', '/routes', { name: 'ledger', service: 'ledger', paths: ['/ledger'] });
    await admin('POST', '/consumers', { username: 'partner-gmbh' });
    await admin('POST', '/apps', {
      name: 'partner-payments',
      consumer: 'partner-gmbh',
      certificates: { subjects: ['CN=payments,O=Partner GmbH,C=DE'], sans: ['DNS:old-payments.invalid'] },
    });
    await admin('POST', '/apps', {
      name: 'partner-legacy',
      consumer: 'partner-gmbh',
      certificates: { sha256_fingerprints: [leaver.fingerprint] },
    });
    await admin('POST', '/plugins', {
      name: 'mtls-auth',
      route: 'ledger',
      config: { ca_certificates: [bank.cert], crls: [bank.crl()] },
    });
  });
  after(async () => {
    await kw?.stop();
    await echo?.close();
  });

  it('lets the partner in with its certificate and refuses it without one', async () => {
    assert.ok(kw.proxyTlsUrl !== undefined, kw.output());
    const ok = await httpsGet(`${kw.proxyTlsUrl}/ledger/balance`, {
      ca: serverCa,
      client: { cert: partner.cert, key: partner.key },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.echo?.headers['x-consumer-username'], 'partner-gmbh');
    assert.equal(ok.echo?.headers['x-forwarded-proto'], 'https');
    const none = await httpsGet(`${kw.proxyTlsUrl}/ledger/balance`, { ca: serverCa });
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'mTLS realm="keyway"');
    const plain = await request(`${kw.proxyUrl}/ledger/balance`);
    assert.equal(plain.statusCode, 401);
    await plain.body.dump();
  });

  it('refuses a certificate once the bank revokes it and the new CRL is configured', async () => {
    const before = await httpsGet(`${kw.proxyTlsUrl ?? ''}/ledger/x`, {
      ca: serverCa,
      client: { cert: leaver.cert, key: leaver.key },
    });
    assert.equal(before.status, 200, before.text);
    bank.revoke(leaver);
    await admin('PATCH', `/plugins/${encodeURIComponent('mtls-auth@route=ledger')}`, {
      config: { ca_certificates: [bank.cert], crls: [bank.crl()] },
    });
    const after = await httpsGet(`${kw.proxyTlsUrl ?? ''}/ledger/x`, {
      ca: serverCa,
      client: { cert: leaver.cert, key: leaver.key },
    });
    assert.equal(after.status, 401, after.text);
    assert.match(after.text, /KW_ERR_AUTH_INVALID/);
    const still = await httpsGet(`${kw.proxyTlsUrl ?? ''}/ledger/x`, {
      ca: serverCa,
      client: { cert: partner.cert, key: partner.key },
    });
    assert.equal(still.status, 200);
  });

  it('refuses an mtls-auth config whose CRL no configured CA signed', async () => {
    const other = TestCa.root(tempDir(), 'other', '/CN=Someone Else');
    const res = await request(`${kw.adminUrl}/plugins`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'mtls-auth',
        service: 'ledger',
        config: { ca_certificates: [bank.cert], crls: [other.crl()] },
      }),
    });
    const text = await res.body.text();
    assert.equal(res.statusCode >= 400 && res.statusCode < 500, true, text);
    assert.match(text, /crls #1/);
  });
});
