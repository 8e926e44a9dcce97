/**
 * The network an address belongs to, as `new_network` alerts compare them: the first `ipv4Prefix` bits of
 * an IPv4 address (`203.0.113.0/24`), the first `ipv6Prefix` bits of an IPv6 one (`2001:db8:1::/48`,
 * written as RFC 5952 §4 says, so one network has one spelling). An IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack socket reports) is the IPv4 address. Anything that is not an
 * address gives undefined. Runs for each call record with a credential, so IPv4 — nearly all of them — is
 * parsed by hand without a regular expression or an allocation beyond the result.
 */
import { isIPv6 } from 'node:net';

export function networkOf(ip: string, ipv4Prefix: number, ipv6Prefix: number): string | undefined {
  const v4 = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  const n = parseV4(v4);
  if (n !== undefined) return v4Network(n, ipv4Prefix);
  return v6Network(ip, ipv6Prefix);
}

/** The address as an unsigned 32-bit number, or undefined. */
function parseV4(ip: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // no leading zeros: `010` is octal to some parsers
      octet = octet * 10 + (c - 48);
      if (octet > 255 || ++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

function v4Network(n: number, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const m = (n & mask) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${prefix}`;
}

function v6Network(ip: string, prefix: number): string | undefined {
  const zone = ip.indexOf('%');
  const addr = zone === -1 ? ip : ip.slice(0, zone);
  if (!isIPv6(addr)) return undefined;
  const groups = v6Groups(addr);
  for (let i = 0; i < 8; i++) {
    const keep = Math.min(16, Math.max(0, prefix - i * 16));
    groups[i] = keep === 16 ? (groups[i] ?? 0) : (groups[i] ?? 0) & ((0xffff << (16 - keep)) & 0xffff);
  }
  return `${compress(groups)}/${prefix}`;
}

/** Eight 16-bit groups of a valid IPv6 address (with `::` expanded and a trailing IPv4 part converted). */
function v6Groups(addr: string): number[] {
  let text = addr;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseV4(text.slice(lastColon + 1)) ?? 0;
    tail.push(v4 >>> 16, v4 & 0xffff);
    // `::1.2.3.4` → `::`, `1::1.2.3.4` → `1::`, `::ffff:1.2.3.4` → `::ffff`.
    text = text.slice(0, lastColon);
    if (text.endsWith(':')) text += ':';
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  const head = parse(gap === -1 ? text : text.slice(0, gap));
  const rest = gap === -1 ? [] : parse(text.slice(gap + 2));
  const zeros = 8 - head.length - rest.length - tail.length;
  return [...head, ...new Array<number>(Math.max(0, zeros)).fill(0), ...rest, ...tail];
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as `::`. */
function compress(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
