/**
 * jwt-auth with keys in its configuration (shared secret, PEM, JWK): HS tokens only where a secret is
 * configured, `kid` pinning, the RFC 9068 `typ` requirement, RFC 8705 binding to a client certificate,
 * and configuration errors that name the field without echoing the key.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { request } from 'undici';
import { certificateBindingHolds } from '../../keys/jwt/cert-binding.js';
import type { RequestContext } from '../../pipeline/context.js';
import { AgentCache } from '../../snapshot/agents.js';
import { compileSnapshot } from '../../snapshot/compile.js';
import { startEcho } from '../../../test/helpers/upstream.js';
import { startGateway, state } from '../../../test/helpers/gateway.js';
import { hmacToken, makeKey, now, sign } from '../../../test/auth/support/keys.js';

const ISS = 'https://internal.example';
const AUD = 'internal-api';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';

function gatewayState(echoAddress: string, jwtConfig: Record<string, unknown>) {
  return state({
    services: [{ name: 's', url: `http://${echoAddress}` }],
    routes: [{ name: 'r', service: 's', paths: ['/'] }],
    consumers: [{ username: 'svc' }],
    plugins: [{ name: 'jwt-auth', config: jwtConfig }],
  });
}

describe('jwt-auth with static keys', () => {
  it('verifies HS256 with a configured secret, and RS256 with a PEM pinned by kid', async () => {
    const echo = await startEcho();
    const rsa = await makeKey('rsa-1');
    const pem = createPublicKey({ key: rsa.publicJwk as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const gw = await startGateway(
      gatewayState(echo.address, {
        issuers: [{ issuer: ISS, keys: [{ secret: SECRET }, { kid: 'rsa-1', pem }] }],
        audiences: [AUD],
      }),
    );
    const claims = { iss: ISS, aud: AUD, sub: 'svc', exp: now() + 60 };
    const status = async (token: string) => {
      const r = await request(`${gw.url}/x`, { headers: { authorization: `Bearer ${token}` } });
      await r.body.dump();
      return r.statusCode;
    };
    try {
      assert.equal(await status(hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, SECRET)), 200, 'HS256');
      assert.equal(
        await status(hmacToken({ alg: 'HS256' }, claims, 'wrong-secret-wrong-secret-wrong-secret')),
        401,
      );
      assert.equal(await status(await sign(rsa, claims)), 200, 'RS256 by kid');
      assert.equal(await status(await sign(rsa, claims, { kid: 'unknown' })), 401, 'unknown kid, static set');
      // The PEM text itself as an HMAC secret: HS is allowed here, but the RSA key never fits HS.
      assert.equal(await status(hmacToken({ alg: 'HS256', kid: 'rsa-1' }, claims, pem)), 401, 'confusion');
    } finally {
      await gw.close();
      await echo.close();
    }
  });

  it('requires typ at+jwt when configured (RFC 9068 §4)', async () => {
    const echo = await startEcho();
    const key = await makeKey('k');
    const gw = await startGateway(
      gatewayState(echo.address, {
        issuers: [{ issuer: ISS, keys: [{ kid: 'k', jwk: key.publicJwk }] }],
        audiences: [AUD],
        typ: 'at+jwt',
      }),
    );
    const claims = { iss: ISS, aud: AUD, sub: 'svc', exp: now() + 60 };
    try {
      for (const [typ, expected] of [
        ['at+jwt', 200],
        ['application/at+jwt', 200],
        ['JWT', 401],
      ] as const) {
        const r = await request(`${gw.url}/x`, {
          headers: { authorization: `Bearer ${await sign(key, claims, { typ })}` },
        });
        await r.body.dump();
        assert.equal(r.statusCode, expected, typ);
      }
    } finally {
      await gw.close();
      await echo.close();
    }
  });

  it('refuses configurations it cannot use, without echoing key material', () => {
    const agents = new AgentCache();
    const bad = (config: Record<string, unknown>) => {
      try {
        compileSnapshot(gatewayState('127.0.0.1:1', config), { agents });
      } catch (err) {
        return JSON.stringify((err as { details?: unknown }).details);
      }
      return 'accepted';
    };
    const short = bad({
      issuers: [{ issuer: ISS, keys: [{ secret: 'too-short-secret' }] }],
      audiences: [AUD],
    });
    assert.match(short, /keys\/0\/secret/);
    assert.ok(!short.includes('too-short-secret'));
    const pem = bad({ issuers: [{ issuer: ISS, keys: [{ pem: 'NOT-A-PEM-secretish' }] }], audiences: [AUD] });
    assert.match(pem, /not a usable key/);
    assert.ok(!pem.includes('NOT-A-PEM'));
    assert.match(
      bad({ issuers: [{ issuer: ISS, jwks_uri: 'http://idp.example/jwks' }], audiences: [AUD] }),
      /https/,
    );
    assert.match(bad({ issuers: [{ issuer: ISS, jwks_uri: 'https://idp.example/jwks' }] }), /audiences/);
    assert.match(
      bad({
        issuers: [{ issuer: ISS, jwks_uri: 'https://idp.example/jwks' }],
        audiences: [AUD],
        anonymous: 'x',
      }),
      /anonymous/,
    );
  });
});

describe('RFC 8705 certificate binding', () => {
  const der = Buffer.from('a client certificate, DER bytes');
  // RFC 8705 §3.1: base64url of the SHA-256 of the DER certificate.
  const thumb = createHash('sha256').update(der).digest('base64url');
  const ctx = (socket: Partial<TLSSocket>) => ({ req: { socket } }) as unknown as RequestContext;
  const tls = ctx({ encrypted: true, getPeerX509Certificate: () => ({ raw: der }) as never });

  it('accepts unbound tokens and tokens bound to the presented certificate', () => {
    assert.equal(certificateBindingHolds(tls, {}), true);
    assert.equal(certificateBindingHolds(tls, { cnf: { 'x5t#S256': thumb } }), true);
  });

  it('refuses a bound token over plain HTTP, with another certificate, or with an unknown cnf', () => {
    const bound = { cnf: { 'x5t#S256': thumb } };
    assert.equal(certificateBindingHolds(ctx({}), bound), false);
    assert.equal(
      certificateBindingHolds(ctx({ encrypted: true, getPeerX509Certificate: () => undefined }), bound),
      false,
    );
    const otherCert = ctx({
      encrypted: true,
      getPeerX509Certificate: () => ({ raw: Buffer.from('x') }) as never,
    });
    assert.equal(certificateBindingHolds(otherCert, bound), false);
    assert.equal(certificateBindingHolds(tls, { cnf: { jkt: 'abc' } }), false);
  });
});
