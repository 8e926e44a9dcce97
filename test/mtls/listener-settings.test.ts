// The listener's certificate request: on by default, `client_cert: off` never asks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadSettings } from '../../src/server/settings.js';
import { startEcho } from '../helpers/upstream.js';
import { startGateway, state } from '../helpers/gateway.js';
import { TestCa, serverCertificate, tempDir } from './pki.js';
import { httpsGet } from './tls-client.js';

describe('TLS listener client certificate setting', () => {
  it('defaults to request and accepts off from the environment, refusing other values', () => {
    const base = { KEYWAY_TLS_CERT: '/x.crt', KEYWAY_TLS_KEY: '/x.key' };
    assert.equal(loadSettings({ env: base }).proxy.tls?.client_cert, 'request');
    const off = loadSettings({ env: { ...base, KEYWAY_TLS_CLIENT_CERT: 'off' } });
    assert.equal(off.proxy.tls?.client_cert, 'off');
    assert.throws(
      () => loadSettings({ env: { ...base, KEYWAY_TLS_CLIENT_CERT: 'require' } }),
      /KEYWAY_TLS_CLIENT_CERT/,
    );
  });

  it('with client_cert off, a client certificate never reaches mtls-auth', async () => {
    const dir = tempDir();
    const ca = TestCa.root(dir, 'ca', '/CN=Test CA');
    const client = ca.issue('client', '/CN=client');
    const server = serverCertificate(dir);
    const echo = await startEcho();
    const gw = await startGateway(
      state({
        services: [{ name: 's', url: `http://${echo.address}` }],
        routes: [{ name: 'r', service: 's', paths: ['/r'] }],
        consumers: [{ username: 'c' }],
        plugins: [
          {
            name: 'mtls-auth',
            config: { ca_certificates: [ca.cert], skip_consumer_lookup: true, consumer: 'c' },
          },
        ],
      }),
      { tls: { ...server, client_cert: 'off' } },
    );
    try {
      const r = await httpsGet(`${gw.tlsUrl ?? ''}/r`, {
        ca: readFileSync(server.cert, 'utf8'),
        client: { cert: client.cert, key: client.key },
      });
      assert.equal(r.status, 401);
      assert.match(r.text, /KW_ERR_AUTH_MISSING/);
    } finally {
      await gw.close();
      await echo.close();
    }
  });
});
