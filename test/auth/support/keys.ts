/**
 * A JWKS server the tests control (keys added and removed at runtime, hits counted, can go down) and
 * token minting with jose, for the cases a real IdP will not produce: expired, forged, `alg: none`,
 * HS/RS confusion, `kid` tricks.
 */
import { createHmac, KeyObject, sign as cryptoSign, webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { startServer, type TestServer } from '../../helpers/upstream.js';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: webcrypto.CryptoKey | KeyObject;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface JwksServer {
  url: string;
  server: TestServer;
  keys: SigningKey[];
  hits: number;
  down: boolean;
}

export async function startJwksServer(initial: SigningKey[]): Promise<JwksServer> {
  const state: Omit<JwksServer, 'url' | 'server'> = { keys: [...initial], hits: 0, down: false };
  const server = await startServer((_req, res) => {
    state.hits++;
    if (state.down) {
      res.writeHead(503).end();
      return;
    }
    const body = JSON.stringify({ keys: state.keys.map((k) => k.publicJwk) });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  // The same object the handler reads, so tests flip `down` and push keys on it directly.
  return Object.assign(state, { server, url: `http://${server.address}/jwks` });
}

export function sign(
  key: SigningKey,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A compact JWS signed with HMAC over an arbitrary header (for `alg` confusion and header tricks). */
export function hmacToken(
  header: Record<string, unknown>,
  claims: JWTPayload,
  secret: Buffer | string,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const hash = header.alg === 'HS512' ? 'sha512' : header.alg === 'HS384' ? 'sha384' : 'sha256';
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** An unsecured JWT (RFC 7519 §6): `alg: none`, empty signature. */
export function unsignedToken(claims: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** An RS256 compact JWS over an arbitrary header, bypassing jose's own header checks (e.g. `crit`). */
export function rawRsaToken(key: SigningKey, header: Record<string, unknown>, claims: JWTPayload): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const k = key.privateKey instanceof KeyObject ? key.privateKey : KeyObject.from(key.privateKey);
  return `${input}.${cryptoSign('sha256', Buffer.from(input), k).toString('base64url')}`;
}
