/**
 * The node-wide caches are the node's (src/server/node-caches.ts): a reload keeps them, and another node in
 * the same process has its own. Counted in JWKS fetches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { makeKey, now, sign, startJwksServer, type JwksServer, type SigningKey } from './support/keys.js';

const ISS = 'https://idp.example';
const AUD = 'https://api.example';

describe('node-wide caches are per node, kept across reloads', () => {
  let echo: TestServer;
  let jwks: JwksServer;
  let key: SigningKey;
  const gateways: TestGateway[] = [];

  const config = (routeName: string) =>
    state({
      services: [{ name: 'api', url: `http://${echo.address}` }],
      routes: [{ name: routeName, service: 'api', paths: ['/api'] }],
      consumers: [{ username: 's' }],
      plugins: [
        {
          name: 'jwt-auth',
          route: routeName,
          config: { issuers: [{ issuer: ISS, jwks_uri: jwks.url }], audiences: [AUD] },
        },
      ],
    });
  const call = async (gw: TestGateway): Promise<number> => {
    const token = await sign(key, { iss: ISS, aud: AUD, sub: 's', iat: now(), exp: now() + 300 });
    const res = await request(`${gw.url}/api/x`, { headers: { authorization: `Bearer ${token}` } });
    await res.body.dump();
    return res.statusCode;
  };

  before(async () => {
    echo = await startEcho();
    key = await makeKey('k1');
    jwks = await startJwksServer([key]);
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    await jwks.server.close();
    await echo.close();
  });

  it('fetches a key set once per node, not once per snapshot nor once per process', async () => {
    const a = await startGateway(config('first'));
    gateways.push(a);
    const start = jwks.hits;
    assert.equal(await call(a), 200);
    assert.equal(jwks.hits, start + 1);
    a.swap(config('renamed'));
    assert.equal(await call(a), 200);
    assert.equal(jwks.hits, start + 1, 'the reloaded plugin uses the node cache');

    const b = await startGateway(config('first'));
    gateways.push(b);
    assert.notEqual(b.caches.jwtKeys, a.caches.jwtKeys);
    assert.equal(await call(b), 200);
    assert.equal(jwks.hits, start + 2, 'another node fetches for itself');
  });
});
