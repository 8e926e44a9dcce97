/**
 * The client certificate of a request's connection, as the TLS layer holds it.
 *
 * The HTTPS listener requests a certificate without verifying it (`rejectUnauthorized: false`), so
 * what arrives here is only proven to belong to the client — OpenSSL checked the CertificateVerify
 * signature during the handshake (RFC 8446 §4.4.3) — and says nothing yet about who issued it. The
 * chain is judged per route by `mtls-auth`, against that route's CAs.
 */
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import type { Socket } from 'node:net';
import { parseCertificate, type ParsedCertificate } from '../../keys/certificates/certificate.js';

export type PeerCertificates =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'present'; leaf: ParsedCertificate; presented: ParsedCertificate[] };

export function isTlsSocket(socket: Socket): socket is TLSSocket {
  return (socket as Partial<TLSSocket>).encrypted === true;
}

/**
 * Reads the leaf and the intermediates the client sent. On a resumed session OpenSSL keeps only the
 * leaf, so `presented` is then empty (the verifier's verdict cache covers that case).
 */
export function peerCertificates(socket: TLSSocket): PeerCertificates {
  const detailed = socket.getPeerCertificate(true) as DetailedPeerCertificate | Record<string, never>;
  if (!('raw' in detailed) || !Buffer.isBuffer(detailed.raw)) return { kind: 'none' };
  let leaf: ParsedCertificate;
  try {
    leaf = parseCertificate(detailed.raw);
  } catch {
    return { kind: 'malformed' };
  }
  const presented: ParsedCertificate[] = [];
  const seen = new Set<Buffer>([detailed.raw]);
  // Node links the chain through `issuerCertificate`; a self-signed end points at itself. Bounded: a
  // client can send a long chain, we look at ten.
  let next: DetailedPeerCertificate | undefined = detailed.issuerCertificate;
  while (next?.raw !== undefined && !seen.has(next.raw) && presented.length < 10) {
    seen.add(next.raw);
    try {
      presented.push(parseCertificate(next.raw));
    } catch {
      // An unparseable extra certificate is just not a path candidate.
    }
    next = next.issuerCertificate;
  }
  return { kind: 'present', leaf, presented };
}
