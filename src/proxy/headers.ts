/**
 * Header rules of a proxy: what must not cross it, and what it adds so the upstream knows who called.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * RFC 9110 §7.6.1: connection-specific fields are for one hop only and a proxy must remove them, along
 * with any field the Connection header names. `expect` is answered by this hop (Node sends 100-continue),
 * and `host` is set per target.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'trailer',
  'proxy-authenticate',
  'proxy-authorization',
]);

/** Fields named by `Connection: a, b` are hop-by-hop too. */
function connectionListed(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value.join(',') : value;
  if (raw === '' || raw === 'keep-alive' || raw === 'close') return undefined;
  const s = new Set<string>();
  for (const part of raw.split(',')) {
    const n = part.trim().toLowerCase();
    if (n !== '') s.add(n);
  }
  return s;
}

/**
 * Headers that carry the caller's identity upstream (set by the pipeline once a credential is recognised,
 * phases.ts); whatever a client sends under these names is dropped on routes that identify callers.
 */
export const IDENTITY_HEADERS: ReadonlySet<string> = new Set([
  'x-consumer-id',
  'x-consumer-username',
  'x-app-id',
  'x-credential-id',
  'x-authenticated-scopes',
]);

/**
 * Request headers to send upstream: everything but hop-by-hop, `host` and `expect`, and on a route that
 * identifies callers (`identifying`), the identity headers a client may have forged.
 */
export function upstreamRequestHeaders(
  h: IncomingHttpHeaders,
  identifying = false,
): Record<string, string | string[] | undefined> {
  const listed = connectionListed(h.connection);
  const out: Record<string, string | string[] | undefined> = {};
  for (const name in h) {
    if (HOP_BY_HOP.has(name) || name === 'host' || name === 'expect') continue;
    if (listed?.has(name) === true) continue;
    if (identifying && IDENTITY_HEADERS.has(name)) continue;
    out[name] = h[name];
  }
  return out;
}

/** Response headers to send the client: everything the upstream sent but hop-by-hop. */
export function clientResponseHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionListed(h.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in h) {
    if (HOP_BY_HOP.has(name) || listed?.has(name) === true) continue;
    out[name] = h[name];
  }
  return out;
}

/** Which peers may tell us the original client address through X-Forwarded-For / Forwarded. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const [addr = '', bits] = e.split('/');
      const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (isIP(addr) === 0) throw new Error(`trusted proxy "${e}" is not an IP address or CIDR`);
      if (bits === undefined) this.list.addAddress(addr, family);
      else this.list.addSubnet(addr, Number(bits), family);
    }
    this.empty = entries.length === 0;
  }

  has(ip: string): boolean {
    if (this.empty || ip === '') return false;
    const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    return this.list.check(v4, isIP(v4) === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * The client's address: the socket peer, or — when the peer is a trusted proxy — the right-most address in
 * X-Forwarded-For that is not itself trusted (the left part can be forged by the client).
 */
export function clientAddress(
  peer: string,
  xff: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  if (xff === undefined || !trusted.has(peer)) return peer;
  const hops = (Array.isArray(xff) ? xff.join(',') : xff).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = (hops[i] ?? '').trim();
    if (hop === '' || isIP(hop) === 0) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return (hops[0] ?? peer).trim() || peer;
}

/**
 * Sets X-Forwarded-For/-Proto/-Host and Forwarded (RFC 7239). From a trusted peer the chain is extended;
 * from anyone else whatever the client sent is replaced, so it cannot inject addresses.
 */
export function setForwardedHeaders(
  out: Record<string, string | string[] | undefined>,
  inHeaders: IncomingHttpHeaders,
  peer: string,
  proto: 'http' | 'https',
  trustedPeer: boolean,
): void {
  const host = inHeaders.host ?? '';
  const prevXff = trustedPeer ? inHeaders['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] =
    prevXff === undefined ? peer : `${Array.isArray(prevXff) ? prevXff.join(', ') : prevXff}, ${peer}`;
  const prevProto = trustedPeer ? inHeaders['x-forwarded-proto'] : undefined;
  out['x-forwarded-proto'] = typeof prevProto === 'string' ? prevProto : proto;
  const prevHost = trustedPeer ? inHeaders['x-forwarded-host'] : undefined;
  out['x-forwarded-host'] = typeof prevHost === 'string' ? prevHost : host;
  const element = forwardedElement(peer, proto, host);
  const prevForwarded = trustedPeer ? inHeaders['forwarded'] : undefined;
  out['forwarded'] = prevForwarded === undefined ? element : `${prevForwarded}, ${element}`;
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// A keep-alive connection sends the same peer, scheme and Host on every request: the last element is kept.
// Made afresh, it cost the concatenations, and a not-yet-flat string that undici's header-value check then
// ran through V8's slow regexp path (callgrind, bench `keyway`); the kept one was flattened once.
let lastPeer = '';
let lastProto = '';
let lastHost = '';
let lastElement = '';

function forwardedElement(peer: string, proto: string, host: string): string {
  if (peer === lastPeer && host === lastHost && proto === lastProto) return lastElement;
  // Socket peers are always valid addresses: a colon means IPv6, which RFC 7239 §6 wants bracketed and quoted.
  const forNode = peer.includes(':') ? `"[${peer}]"` : peer;
  const element = `for=${forNode};proto=${proto}${host !== '' ? `;host=${quoteIfNeeded(host)}` : ''}`;
  lastPeer = peer;
  lastProto = proto;
  lastHost = host;
  lastElement = element;
  return element;
}

function quoteIfNeeded(v: string): string {
  return TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** A client-supplied request id is kept only if it is short, visible ASCII (it goes into logs and headers). */
export function acceptableRequestId(v: string | string[] | undefined): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 200 && /^[\x21-\x7e]+$/.test(v);
}
