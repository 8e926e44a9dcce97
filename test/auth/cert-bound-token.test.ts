// RFC 8705 §3: a token bound to a client certificate (`cnf.x5t#S256`) is accepted only over a TLS
// connection that presented that certificate. Real TLS, real openssl-made certificates.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { TestCa, serverCertificate, tempDir, type Issued } from '../mtls/pki.js';
import { httpsGet } from '../mtls/tls-client.js';
import { makeKey, now, sign, type SigningKey } from './support/keys.js';

const ISS = 'https://idp.bank.example';
const AUD = 'payments';

function thumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}

describe('certificate-bound access tokens', () => {
  let echo: TestServer;
  let gw: TestGateway;
  let key: SigningKey;
  let serverCa: string;
  let bound: Issued;
  let other: Issued;

  before(async () => {
    const dir = tempDir('keyway-cnf-');
    const ca = TestCa.root(dir, 'bank-ca', '/CN=Bank Test CA');
    bound = ca.issue('partner', '/CN=partner');
    other = ca.issue('someone-else', '/CN=someone-else');
    const server = serverCertificate(dir);
    serverCa = readFileSync(server.cert, 'utf8');
    key = await makeKey('k1', 'ES256');
    echo = await startEcho();
    gw = await startGateway(
      state({
        services: [{ name: 's', url: `http://${echo.address}` }],
        routes: [{ name: 'r', service: 's', paths: ['/'] }],
        consumers: [{ username: 'partner' }],
        plugins: [
          {
            name: 'jwt-auth',
            config: {
              issuers: [{ issuer: ISS, keys: [{ kid: 'k1', jwk: key.publicJwk }] }],
              audiences: [AUD],
            },
          },
        ],
      }),
      { tls: server },
    );
  });
  after(async () => {
    await gw.close();
    await echo.close();
  });

  const token = (cnf?: string) =>
    sign(key, {
      iss: ISS,
      aud: AUD,
      sub: 'partner',
      iat: now(),
      exp: now() + 300,
      ...(cnf === undefined ? {} : { cnf: { 'x5t#S256': cnf } }),
    });

  it('accepts a bound token over the certificate it is bound to', async () => {
    const url = `${gw.tlsUrl}/pay`;
    const t = await token(thumbprint(bound.cert));
    const res = await httpsGetWithToken(url, t, serverCa, bound);
    assert.equal(res.status, 200, res.text);
  });

  it('refuses it over another certificate, over no certificate, and over plain HTTP', async () => {
    const t = await token(thumbprint(bound.cert));
    assert.equal((await httpsGetWithToken(`${gw.tlsUrl}/pay`, t, serverCa, other)).status, 401);
    assert.equal((await httpsGetWithToken(`${gw.tlsUrl}/pay`, t, serverCa, undefined)).status, 401);
    const plain = await fetch(`${gw.url}/pay`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal(plain.status, 401);
  });

  it('leaves unbound tokens alone', async () => {
    const res = await httpsGetWithToken(`${gw.tlsUrl}/pay`, await token(), serverCa, undefined);
    assert.equal(res.status, 200);
  });
});

function httpsGetWithToken(url: string, token: string, ca: string, client: Issued | undefined) {
  return httpsGet(url, {
    ca,
    headers: { authorization: `Bearer ${token}` },
    ...(client === undefined ? {} : { client: { cert: client.cert, key: client.key } }),
  });
}
