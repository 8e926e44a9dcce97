/**
 * Journey 3 against a real authorization server (oidc-provider on loopback), tokens obtained with real
 * client_credentials requests: RFC 9068 JWT access tokens verified locally through discovery, opaque
 * tokens checked by RFC 7662 introspection and cached until their expiry, a down server → 503, and no
 * token or client secret in anything the gateway reports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startEcho, deadPort, type Echo, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { captureAuthEvents, type Capture } from './support/capture.js';
import {
  GATEWAY_CLIENT,
  GATEWAY_POST_CLIENT,
  JWT_RESOURCE,
  OPAQUE_RESOURCE,
  PARTNER,
  SHORT_RESOURCE,
  startIdp,
  type TestIdp,
} from './support/idp.js';

describe('tokens from a real identity provider', () => {
  let idp: TestIdp;
  let echo: TestServer;
  let gw: TestGateway;
  let cap: Capture;
  const sent: string[] = [];

  const call = async (path: string, token: string) => {
    sent.push(token);
    const res = await request(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.body.text();
    if (res.statusCode >= 400) cap.lines.push(text); // error bodies are checked for leaks too
    return {
      status: res.statusCode,
      challenge: res.headers['www-authenticate'],
      text,
      json: () => JSON.parse(text) as { error: { code: string } },
    };
  };
  const introspections = () => idp.hits.get('/token/introspection') ?? 0;

  before(async () => {
    cap = captureAuthEvents();
    idp = await startIdp();
    echo = await startEcho();
    const introspection = {
      endpoint: `${idp.issuer}/token/introspection`,
      client_id: GATEWAY_CLIENT.id,
      client_secret: GATEWAY_CLIENT.secret,
      required_scopes: ['read:weather'],
    };
    gw = await startGateway(
      state({
        services: [{ name: 'weather', url: `http://${echo.address}` }],
        routes: [
          { name: 'weather', service: 'weather', paths: ['/weather'] },
          { name: 'partner', service: 'weather', paths: ['/partner'] },
          { name: 'partner-post', service: 'weather', paths: ['/partner-post'] },
          { name: 'partner-down', service: 'weather', paths: ['/partner-down'] },
        ],
        consumers: [{ username: 'acme' }],
        apps: [{ name: 'acme-partner', consumer: 'acme', client_ids: [PARTNER.id] }],
        plugins: [
          {
            name: 'jwt-auth',
            route: 'weather',
            config: {
              // The one line that points Keyway at the IdP; issuer and JWKS come from its metadata.
              issuers: [{ discovery: `${idp.issuer}/.well-known/openid-configuration` }],
              audiences: [JWT_RESOURCE],
              typ: 'at+jwt',
              required_scopes: ['read:weather'],
              identity: [{ claim: 'client_id', lookup: 'client_id' }],
            },
          },
          { name: 'oauth2-introspection', route: 'partner', config: introspection },
          {
            name: 'oauth2-introspection',
            route: 'partner-post',
            config: {
              ...introspection,
              client_id: GATEWAY_POST_CLIENT.id,
              client_secret: GATEWAY_POST_CLIENT.secret,
              auth_method: 'client_secret_post',
            },
          },
          {
            name: 'oauth2-introspection',
            route: 'partner-down',
            config: {
              ...introspection,
              endpoint: `http://127.0.0.1:${await deadPort()}/introspect`,
              timeout_ms: 500,
            },
          },
        ],
      }),
      { onPluginError: (ctx, err) => cap.onPluginError(ctx, err) },
    );
  });
  after(async () => {
    cap.stop();
    await gw.close();
    await echo.close();
    await idp.close();
  });

  it('passes an RFC 9068 JWT access token with the scope, found through discovery', async () => {
    const token = await idp.token(JWT_RESOURCE, 'read:weather');
    const r = await call('/weather/today', token);
    assert.equal(r.status, 200, r.text);
    const echoed = JSON.parse(r.text) as Echo;
    assert.equal(echoed.headers['x-consumer-username'], 'acme');
    assert.equal(echoed.headers['x-authenticated-scopes'], 'read:weather');
    assert.equal(idp.hits.get('/.well-known/openid-configuration'), 1);
    assert.equal(idp.hits.get('/jwks'), 1);
    const again = await call('/weather/today', await idp.token(JWT_RESOURCE, 'read:weather write:weather'));
    assert.equal(again.status, 200);
    assert.equal(idp.hits.get('/jwks'), 1, 'keys come from the cache');
  });

  it('answers 403 for a token without the scope and 401 for another audience', async () => {
    const noScope = await call('/weather/today', await idp.token(JWT_RESOURCE, 'write:weather'));
    assert.equal(noScope.status, 403);
    assert.equal(noScope.json().error.code, 'KW_ERR_FORBIDDEN');
    const otherAud = await call('/weather/today', await idp.token('https://billing.example', 'read:weather'));
    assert.equal(otherAud.status, 401);
    assert.equal(otherAud.json().error.code, 'KW_ERR_AUTH_INVALID');
  });

  it('checks an opaque token by introspection once, then from the cache', async () => {
    const token = await idp.token(OPAQUE_RESOURCE, 'read:weather');
    assert.ok(!token.includes('.'), 'the IdP issued an opaque token');
    const before = introspections();
    for (let i = 0; i < 3; i++) {
      const r = await call('/partner/x', token);
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(introspections(), before + 1);
    const post = await call('/partner-post/x', token);
    assert.equal(post.status, 200, 'client_secret_post works too');
    const noScope = await call('/partner/x', await idp.token(OPAQUE_RESOURCE, 'write:weather'));
    assert.equal(noScope.status, 403);
  });

  it('refuses an inactive token, caching the refusal briefly', async () => {
    const before = introspections();
    for (let i = 0; i < 3; i++) {
      const r = await call('/partner/x', 'not-a-token-the-idp-issued-0123456789');
      assert.equal(r.status, 401);
      assert.equal(r.json().error.code, 'KW_ERR_AUTH_INVALID');
      assert.equal(r.challenge, 'Bearer realm="keyway", error="invalid_token"');
    }
    assert.equal(introspections(), before + 1, 'negative cache');
  });

  it('stops trusting a cached answer at the token expiry', async () => {
    const token = await idp.token(SHORT_RESOURCE, 'read:weather');
    const before = introspections();
    assert.equal((await call('/partner/x', token)).status, 200);
    assert.equal((await call('/partner/x', token)).status, 200);
    assert.equal(introspections(), before + 1);
    await new Promise((r) => setTimeout(r, 2200));
    const late = await call('/partner/x', token);
    assert.equal(late.status, 401, 'expired: asked again, the IdP says inactive');
    assert.equal(introspections(), before + 2);
  });

  it('answers 503 when the introspection server is down or erroring, never a pass', async () => {
    const token = await idp.token(OPAQUE_RESOURCE, 'read:weather');
    const dead = await call('/partner-down/x', token);
    assert.equal(dead.status, 503);
    assert.equal(dead.json().error.code, 'KW_ERR_AUTH_UNAVAILABLE');
    idp.down = true;
    try {
      const r = await call('/partner/x', token);
      assert.equal(r.status, 503);
    } finally {
      idp.down = false;
    }
    const after = await call('/partner/x', token);
    assert.equal(after.status, 200, 'the failure was not cached as inactive');
  });

  it('puts no token or client secret into any captured line or error body', () => {
    assert.ok(cap.lines.length > 0);
    cap.assertClean([...sent, GATEWAY_CLIENT.secret, GATEWAY_POST_CLIENT.secret, PARTNER.secret]);
  });
});
