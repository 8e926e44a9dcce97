/**
 * Address lists for IP rules (docs/access-control.md): CIDR blocks and single addresses, IPv4 and IPv6,
 * checked with `node:net`'s BlockList, which also matches an IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`, what
 * a dual-stack listener reports for an IPv4 client) against IPv4 blocks.
 */
import { BlockList, isIP } from 'node:net';

/** JSON schema of one entry: the parse below says whether it is a valid address or block. */
export const cidrSchema = { type: 'string', minLength: 2, maxLength: 64 } as const;

export const cidrListSchema = {
  type: 'array',
  maxItems: 1024,
  uniqueItems: true,
  items: cidrSchema,
} as const;

/** An address list, compiled: `has(ip)` is one BlockList lookup. */
export class AddressList {
  private readonly blocks = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const [i, entry] of entries.entries()) {
      const problem = addEntry(this.blocks, entry);
      if (problem !== undefined) throw new CidrError(i, problem);
    }
    this.size = entries.length;
  }

  /** True when `ip` (as the proxy has it: v4, v6 or v4-mapped v6) is in one of the blocks. */
  has(ip: string): boolean {
    const family = isIP(ip);
    if (family === 0) return false;
    return this.blocks.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The one rule of an allow list and a deny list, for the `ip-restriction` plugin and a key's own lists alike:
 * the deny list wins; a non-empty allow list must hold the address. Which list refuses `ip`, or undefined.
 */
export function refusingList(
  allow: AddressList | undefined,
  deny: AddressList | undefined,
  ip: string,
): 'allow' | 'deny' | undefined {
  if (deny !== undefined && deny.size > 0 && deny.has(ip)) return 'deny';
  if (allow !== undefined && allow.size > 0 && !allow.has(ip)) return 'allow';
  return undefined;
}

/** An entry of a list that does not parse: `index` in the list, and why. */
export class CidrError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'CidrError';
  }
}

/** The problem with each bad entry of `entries`, by index (empty: all good). */
export function cidrProblems(entries: readonly unknown[]): Array<{ index: number; message: string }> {
  const scratch = new BlockList();
  const out: Array<{ index: number; message: string }> = [];
  entries.forEach((entry, index) => {
    const problem =
      typeof entry === 'string' ? addEntry(scratch, entry) : 'must be a string (an address or a CIDR block)';
    if (problem !== undefined) out.push({ index, message: problem });
  });
  return out;
}

function addEntry(list: BlockList, entry: string): string | undefined {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `"${entry}" is not an IPv4 or IPv6 address or CIDR block`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(address, type);
    return undefined;
  }
  const bits = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max)
    return `"${entry}": the prefix length must be 0 to ${max} for an ${type === 'ipv4' ? 'IPv4' : 'IPv6'} block`;
  list.addSubnet(address, Number(bits), type);
  return undefined;
}
