/**
 * RFC 8705 §3 certificate-bound access tokens. A token whose `cnf` claim carries `x5t#S256` may only be
 * used over a TLS connection that presented the client certificate with that SHA-256 thumbprint
 * (base64url of the DER's SHA-256, §3.1). A stolen bound token is then useless without the private key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { RequestContext } from '../../pipeline/context.js';

/**
 * True when the token is unbound, or bound to the certificate of this connection. A token with a `cnf`
 * we do not understand (e.g. only `jkt`, DPoP) is refused: honouring the binding is the point.
 */
export function certificateBindingHolds(
  ctx: RequestContext,
  claims: Readonly<Record<string, unknown>>,
): boolean {
  const cnf = claims.cnf;
  if (cnf === undefined) return true;
  if (typeof cnf !== 'object' || cnf === null) return false;
  const expected = (cnf as Record<string, unknown>)['x5t#S256'];
  if (expected === undefined) return Object.keys(cnf).length === 0;
  if (typeof expected !== 'string') return false;
  const actual = peerThumbprint(ctx);
  if (actual === undefined) return false;
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** base64url(SHA-256(DER)) of the client certificate, or undefined without TLS or without a certificate. */
export function peerThumbprint(ctx: RequestContext): string | undefined {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return undefined;
  return createHash('sha256').update(cert.raw).digest('base64url');
}
