/**
 * Writes a small MaxMind DB (`.mmdb`) for tests, from the public format specification
 * (https://maxmind.github.io/MaxMind-DB/): a binary search tree over the address bits (24-bit records),
 * 16 zero bytes, a data section in MaxMind's type encoding, then the metadata marker
 * `\xAB\xCD\xEFMaxMind.com` and the metadata map. An IPv6 tree: an IPv4 network a.b.c.d/n is stored at
 * ::a.b.c.d/(96+n), where readers look IPv4 addresses up. Tests then read it with the `maxmind` package the
 * node uses, so the file is checked by the real reader, not by this writer.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A value of the data section: maps, strings, unsigned integers, arrays, booleans. */
export type MmdbValue = string | number | bigint | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** `192.0.2.0/24` or `2001:db8::/32`. */
  cidr: string;
  data: MmdbValue;
}

interface TreeNode {
  children: [Child, Child];
}
type Child = TreeNode | { data: number } | undefined;

const MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

/** The 128 bits of an address (IPv4 at ::/96) as an array of 0/1, and the prefix length in that tree. */
function bitsOf(cidr: string): { bits: number[]; prefix: number } {
  const [addr = '', len = ''] = cidr.split('/');
  const bytes = new Array<number>(16).fill(0);
  let prefix: number;
  if (isIPv4(addr)) {
    addr.split('.').forEach((b, i) => (bytes[12 + i] = Number(b)));
    prefix = 96 + Number(len === '' ? 32 : len);
  } else if (isIPv6(addr)) {
    const [head = '', tail = ''] = addr.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === '' ? [] : tail.split(':');
    const groups = addr.includes('::')
      ? [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t]
      : h;
    groups.forEach((g, i) => {
      const v = parseInt(g, 16);
      bytes[2 * i] = v >> 8;
      bytes[2 * i + 1] = v & 0xff;
    });
    prefix = Number(len === '' ? 128 : len);
  } else throw new Error(`not an address: ${cidr}`);
  const bits: number[] = [];
  for (const b of bytes) for (let i = 7; i >= 0; i--) bits.push((b >> i) & 1);
  return { bits, prefix };
}

/** One value in the data section's encoding (control byte: type in the top 3 bits, size in the low 5). */
export function encode(v: MmdbValue): Buffer {
  if (typeof v === 'string') return withHeader(2, Buffer.from(v, 'utf8'));
  if (typeof v === 'boolean') return header(14, v ? 1 : 0);
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = BigInt(v);
    if (n < 0n) throw new Error('negative integers are not written');
    const bytes: number[] = [];
    for (let x = n; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
    const type = n <= 0xffffn ? 5 : n <= 0xffffffffn ? 6 : n < 1n << 64n ? 9 : 10;
    return withHeader(type, Buffer.from(bytes));
  }
  if (Array.isArray(v)) return Buffer.concat([header(11, v.length), ...v.map(encode)]);
  const entries = Object.entries(v);
  return Buffer.concat([header(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

function withHeader(type: number, payload: Buffer): Buffer {
  return Buffer.concat([header(type, payload.length), payload]);
}

/** Control byte(s) for a type and a size; types above 7 are "extended" (0 in the control byte, then type-7). */
function header(type: number, size: number): Buffer {
  let sizeBits: number;
  let extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) [sizeBits, extra] = [29, [size - 29]];
  else if (size < 65821) [sizeBits, extra] = [30, [(size - 285) >> 8, (size - 285) & 0xff]];
  else {
    const s = size - 65821;
    [sizeBits, extra] = [31, [(s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff]];
  }
  const control = type > 7 ? [sizeBits, type - 7] : [(type << 5) | sizeBits];
  return Buffer.from([...control, ...extra]);
}

/** The bytes of a MaxMind DB holding `networks` (which must not overlap), with `databaseType` in its metadata. */
export function writeMmdb(networks: readonly MmdbNetwork[], databaseType = 'GeoLite2-Country'): Buffer {
  const root: TreeNode = { children: [undefined, undefined] };
  const data: Buffer[] = [];
  let dataSize = 0;
  for (const n of networks) {
    const offset = dataSize;
    const encoded = encode(n.data);
    data.push(encoded);
    dataSize += encoded.length;
    const { bits, prefix } = bitsOf(n.cidr);
    let node = root;
    for (let i = 0; i < prefix - 1; i++) {
      const bit = bits[i] ?? 0;
      let next = node.children[bit];
      if (next === undefined) node.children[bit] = next = { children: [undefined, undefined] };
      if (!('children' in next)) throw new Error(`${n.cidr} overlaps another network`);
      node = next;
    }
    node.children[bits[prefix - 1] ?? 0] = { data: offset };
  }
  // Number the nodes breadth first: the root is node 0, as readers expect.
  const order: TreeNode[] = [];
  const numbers = new Map<TreeNode, number>();
  for (let queue = [root]; queue.length > 0;) {
    const node = queue.shift() as TreeNode;
    numbers.set(node, order.length);
    order.push(node);
    for (const c of node.children) if (c !== undefined && 'children' in c) queue.push(c);
  }
  const nodeCount = order.length;
  // A record: another node's number, nodeCount for "no data", or nodeCount + 16 + the data's offset.
  const record = (c: Child): number =>
    c === undefined ? nodeCount : 'children' in c ? (numbers.get(c) ?? 0) : nodeCount + 16 + c.data;
  const tree = Buffer.alloc(nodeCount * 6);
  order.forEach((node, i) => {
    tree.writeUIntBE(record(node.children[0]), i * 6, 3);
    tree.writeUIntBE(record(node.children[1]), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_767_225_600n,
    description: { en: 'Keyway test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, MARKER, metadata]);
}

/** A Country database's record for an ISO 3166-1 alpha-2 code, shaped like GeoLite2-Country's. */
export const country = (isoCode: string): MmdbValue => ({ country: { iso_code: isoCode } });
