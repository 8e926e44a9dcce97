// mtls-auth through the real data plane: an HTTPS listener, a real TLS client presenting openssl-made
// certificates, the identity headers as the upstream receives them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { ConfigState } from '../../model/index.js';
import type { MtlsVerdictEvent } from './index.js';
import { startEcho, type TestServer } from '../../../test/helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';
import { TestCa, selfSigned, serverCertificate, tempDir, type Issued } from '../../../test/mtls/pki.js';
import { httpsGet, type ClientCert } from '../../../test/mtls/tls-client.js';

const DAY = 86_400_000;

describe('mtls-auth on the HTTPS listener', () => {
  let echo: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  let ca: string;
  let root: TestCa;
  let issuing: TestCa;
  const certs: Record<string, Issued> = {};
  const rejections: Array<{ plugin: string; reason: string }> = [];
  const onReject = (m: unknown): void => {
    rejections.push(m as { plugin: string; reason: string });
  };
  /** A client certificate issued by the intermediate, sent with its chain. */
  const chained = (c: Issued): ClientCert => ({ cert: c.cert + issuing.cert, key: c.key });
  const call = (path: string, client?: ClientCert, agent?: https.Agent) =>
    httpsGet(`${gw.tlsUrl ?? ''}${path}`, {
      ca,
      ...(client === undefined ? {} : { client }),
      ...(agent === undefined ? {} : { agent }),
    });
  const appId = (name: string): string => cfg.workspaces[0]?.apps.find((a) => a.name === name)?.id ?? '';

  before(async () => {
    const dir = tempDir();
    root = TestCa.root(dir, 'root', '/O=Bank/CN=Bank Root CA');
    issuing = root.intermediate('issuing', '/O=Bank/CN=Bank Issuing CA 1');
    const reports = '/O=Acme/CN=acme-reports';
    const hourAgo = new Date(Date.now() - 3_600_000);
    certs['fingerprint'] = issuing.issue('fp', '/O=Acme/CN=acme-dashboard', {
      sans: ['DNS:dash.acme.example'],
    });
    certs['subject'] = issuing.issue('subject', reports);
    certs['san'] = issuing.issue('san', '/O=Acme/CN=batch', { sans: ['URI:spiffe://acme/batch'] });
    certs['counted'] = issuing.issue('counted', reports);
    certs['unmapped'] = issuing.issue('unmapped', '/O=Acme/CN=nobody');
    certs['expired'] = issuing.issue('expired', reports, {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: hourAgo,
    });
    certs['future'] = issuing.issue('future', reports, {
      notBefore: new Date(Date.now() + DAY),
      notAfter: new Date(Date.now() + 10 * DAY),
    });
    certs['revoked'] = issuing.issue('revoked', reports);
    certs['server-eku'] = issuing.issue('server-eku', reports, { eku: 'serverAuth' });
    certs['no-sign'] = issuing.issue('no-sign', reports, { keyUsage: 'keyEncipherment' });
    certs['foreign'] = TestCa.root(dir, 'other', '/O=Elsewhere/CN=Other CA').issue('foreign', reports);
    // Same DN as the bank's issuing CA, different key: the name chains, the signature does not.
    certs['impostor'] = TestCa.root(dir, 'impostor', '/O=Bank/CN=Bank Issuing CA 1').issue(
      'impostor',
      reports,
    );
    certs['self-signed'] = selfSigned(dir, 'self', reports);
    issuing.revoke(certs['revoked']);
    const crl = issuing.crl();
    const staleCrl = issuing.crl({ lastUpdate: new Date(Date.now() - 2 * DAY), nextUpdate: hourAgo });

    const server = serverCertificate(dir);
    ca = readFileSync(server.cert, 'utf8');
    echo = await startEcho('bank-backend');
    const trust = { ca_certificates: [root.cert, issuing.cert] };
    const url = `http://${echo.address}`;
    cfg = state({
      services: [{ name: 'bank', url }],
      routes: [
        { name: 'bank', service: 'bank', paths: ['/bank'] },
        { name: 'stale', service: 'bank', paths: ['/stale'] },
        { name: 'stale-ok', service: 'bank', paths: ['/stale-ok'] },
        { name: 'open', service: 'bank', paths: ['/open'] },
        { name: 'partner', service: 'bank', paths: ['/partner'] },
      ],
      consumers: [{ username: 'acme' }, { username: 'guest' }, { username: 'bank-partner' }],
      apps: [
        {
          name: 'acme-dashboard',
          consumer: 'acme',
          certificates: {
            sha256_fingerprints: [certs['fingerprint'].fingerprint.replace(/(..)(?!$)/g, '$1:')],
          },
        },
        { name: 'acme-reports', consumer: 'acme', certificates: { subjects: ['CN=acme-reports, O=Acme'] } },
        { name: 'acme-batch', consumer: 'acme', certificates: { sans: ['URI:spiffe://acme/batch'] } },
      ],
      plugins: [
        { name: 'mtls-auth', route: 'bank', config: { ...trust, crls: [crl] } },
        { name: 'mtls-auth', route: 'stale', config: { ...trust, crls: [staleCrl] } },
        {
          name: 'mtls-auth',
          route: 'stale-ok',
          config: { ...trust, crls: [staleCrl], allow_expired_crl: true },
        },
        { name: 'mtls-auth', route: 'open', config: { ...trust, crls: [crl], anonymous: 'guest' } },
        {
          name: 'mtls-auth',
          route: 'partner',
          config: { ca_certificates: [root.cert], skip_consumer_lookup: true, consumer: 'bank-partner' },
        },
      ],
    });
    gw = await startGateway(cfg, { tls: server });
    subscribe('keyway:auth:rejected', onReject);
  });
  after(async () => {
    unsubscribe('keyway:auth:rejected', onReject);
    await gw.close();
    await echo.close();
  });

  it('maps a certificate by fingerprint and sends the identity upstream', async () => {
    const c = certs['fingerprint'];
    const r = await call('/bank/accounts', chained(c));
    assert.equal(r.status, 200, r.text);
    const h = r.echo?.headers ?? {};
    assert.equal(h['x-consumer-username'], 'acme');
    assert.equal(h['x-app-id'], appId('acme-dashboard'));
    assert.equal(h['x-credential-id'], `cert:${c.fingerprint.slice(0, 16)}`);
  });

  it('maps by subject DN and by SAN', async () => {
    const s = await call('/bank/x', chained(certs['subject']));
    assert.equal(s.status, 200, s.text);
    assert.equal(s.echo?.headers['x-app-id'], appId('acme-reports'));
    const n = await call('/bank/x', chained(certs['san']));
    assert.equal(n.status, 200, n.text);
    assert.equal(n.echo?.headers['x-app-id'], appId('acme-batch'));
  });

  const refusals: Array<[string, string]> = [
    ['expired', 'expired'],
    ['future', 'not-yet-valid'],
    ['revoked', 'revoked'],
    ['server-eku', 'extended-key-usage'],
    ['no-sign', 'key-usage'],
    ['foreign', 'no-path'],
    ['impostor', 'no-path'],
    ['self-signed', 'no-path'],
    ['unmapped', 'unmapped'],
  ];
  for (const [name, reason] of refusals) {
    it(`refuses the ${name} certificate with 401 KW_ERR_AUTH_INVALID (reason ${reason} in the debug channel only)`, async () => {
      rejections.length = 0;
      const c = certs[name];
      const r = await call('/bank/x', name === 'self-signed' ? c : chained(c));
      assert.equal(r.status, 401, r.text);
      const body = JSON.parse(r.text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'KW_ERR_AUTH_INVALID');
      assert.equal(body.error.message, 'invalid credentials');
      assert.equal(r.headers['www-authenticate'], 'mTLS realm="keyway", error="invalid_certificate"');
      assert.equal(r.echo, undefined);
      assert.deepEqual(
        rejections.map((e) => [e.plugin, e.reason]),
        [['mtls-auth', reason]],
      );
    });
  }

  it('asks for a certificate: none on HTTPS or plain HTTP → 401 with a challenge; anonymous when configured', async () => {
    const none = await call('/bank/x');
    assert.equal(none.status, 401);
    assert.match(none.text, /KW_ERR_AUTH_MISSING/);
    assert.equal(none.headers['www-authenticate'], 'mTLS realm="keyway"');
    const plain = await request(`${gw.url}/bank/x`);
    assert.equal(plain.statusCode, 401);
    assert.equal(plain.headers['www-authenticate'], 'mTLS realm="keyway"');
    await plain.body.dump();
    const guest = await request(`${gw.url}/open/x`);
    assert.equal(guest.statusCode, 200);
    const echoed = (await guest.body.json()) as { headers: Record<string, string> };
    assert.equal(echoed.headers['x-consumer-username'], 'guest');
    const known = await call('/open/x', chained(certs['subject']));
    assert.equal(known.echo?.headers['x-consumer-username'], 'acme');
  });

  it('refuses certificates of an issuer whose CRL expired, unless allow_expired_crl', async () => {
    rejections.length = 0;
    const c = chained(certs['subject']);
    const stale = await call('/stale/x', c);
    assert.equal(stale.status, 401);
    assert.deepEqual(
      rejections.map((e) => e.reason),
      ['crl-expired'],
    );
    const tolerated = await call('/stale-ok/x', c);
    assert.equal(tolerated.status, 200, tolerated.text);
  });

  it('skip_consumer_lookup accepts any valid certificate of the CA as the configured consumer', async () => {
    const r = await call('/partner/x', chained(certs['unmapped']));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.echo?.headers['x-consumer-username'], 'bank-partner');
    assert.equal(r.echo?.headers['x-app-id'], undefined);
    const foreign = await call('/partner/x', certs['foreign']);
    assert.equal(foreign.status, 401);
  });

  it('judges a connection once: keep-alive requests reuse the verdict, a new connection reuses the path', async () => {
    const c = certs['counted'];
    const events: MtlsVerdictEvent[] = [];
    const onVerdict = (m: unknown): void => {
      const e = m as MtlsVerdictEvent;
      if (e.fingerprint === c.fingerprint) events.push(e);
    };
    subscribe('keyway:mtls:verdict', onVerdict);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await call('/bank/1', chained(c), agent);
      const second = await call('/bank/2', chained(c), agent);
      const third = await call('/bank/3', chained(c), agent);
      assert.deepEqual([first.status, second.status, third.status], [200, 200, 200]);
      assert.equal(first.socket, third.socket, 'one TLS connection');
      assert.deepEqual(events, [{ fingerprint: c.fingerprint, ok: true, validated: true }]);
      // A fresh connection (without intermediates when the session is resumed) is answered from the
      // verifier's memory of this certificate: no second path validation.
      const other = await call('/bank/4', chained(c));
      assert.equal(other.status, 200);
      assert.deepEqual(events[1], { fingerprint: c.fingerprint, ok: true, validated: false });
    } finally {
      agent.destroy();
      unsubscribe('keyway:mtls:verdict', onVerdict);
    }
  });
});
