// An introspection server may answer a refresh token as active (RFC 7662 lets it): only access tokens
// may open an API, so a `token_type` naming a refresh token is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startEcho, startServer, type TestServer } from '../../../test/helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';

describe('introspection token types', () => {
  let as: TestServer;
  let echo: TestServer;
  let gw: TestGateway;

  before(async () => {
    as = await startServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('token') ?? '';
        const answer =
          token === 'refresh-1'
            ? {
                active: true,
                token_type: 'refresh_token',
                sub: 'acme',
                exp: Math.floor(Date.now() / 1000) + 600,
              }
            : { active: true, token_type: 'Bearer', sub: 'acme', exp: Math.floor(Date.now() / 1000) + 600 };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    echo = await startEcho();
    gw = await startGateway(
      state({
        services: [{ name: 's', url: `http://${echo.address}` }],
        routes: [{ name: 's', service: 's', paths: ['/'] }],
        consumers: [{ username: 'acme' }],
        plugins: [
          {
            name: 'oauth2-introspection',
            config: {
              endpoint: `http://${as.address}/introspect`,
              client_id: 'gw',
              client_secret: 'gw-secret',
            },
          },
        ],
      }),
    );
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await as.close();
  });

  it('passes an active access token and refuses an active refresh token', async () => {
    const ok = await request(`${gw.url}/x`, { headers: { authorization: 'Bearer access-1' } });
    await ok.body.dump();
    assert.equal(ok.statusCode, 200);
    const refresh = await request(`${gw.url}/x`, { headers: { authorization: 'Bearer refresh-1' } });
    assert.equal(refresh.statusCode, 401);
    assert.equal(
      ((await refresh.body.json()) as { error: { code: string } }).error.code,
      'KW_ERR_AUTH_INVALID',
    );
  });
});
