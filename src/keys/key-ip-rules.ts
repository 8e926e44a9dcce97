/**
 * A key's own IP rules (docs/access-control.md): `ip_allow` and `ip_deny` in its metadata, lists of
 * addresses or CIDR blocks. key-auth enforces them wherever the key is presented, whatever the route's
 * plugins: a key issued to a partner's servers stops working from anywhere else. Checked when the key is
 * created or imported; a stored list that no longer parses refuses the key (fails closed).
 */
import { AddressList, cidrProblems, refusingList } from '../core/cidr.js';
import type { ErrorDetail } from '../core/errors.js';

export const KEY_IP_FIELDS = ['ip_allow', 'ip_deny'] as const;

/** Problems with a key's `metadata.ip_allow` / `metadata.ip_deny`, at `<base>/metadata/<field>/<i>`. */
export function keyIpProblems(metadata: Record<string, unknown> | undefined, base = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const field of KEY_IP_FIELDS) {
    const list = metadata?.[field];
    if (list === undefined) continue;
    const path = `${base}/metadata/${field}`;
    if (!Array.isArray(list) || list.length === 0 || list.length > 1024) {
      out.push({ path, message: 'must be a list of 1 to 1024 addresses or CIDR blocks' });
      continue;
    }
    for (const p of cidrProblems(list)) out.push({ path: `${path}/${p.index}`, message: p.message });
  }
  return out;
}

/** A key's compiled IP rules; `broken` when a stored list does not parse (the key is then refused). */
export interface KeyIpRules {
  allow: AddressList | undefined;
  deny: AddressList | undefined;
  broken: boolean;
}

/** The key's rules, or undefined when its metadata has none (most keys: nothing to check). */
export function keyIpRules(metadata: Record<string, unknown> | undefined): KeyIpRules | undefined {
  const allow = metadata?.['ip_allow'];
  const deny = metadata?.['ip_deny'];
  if (allow === undefined && deny === undefined) return undefined;
  try {
    return {
      allow: allow === undefined ? undefined : new AddressList(allow as string[]),
      deny: deny === undefined ? undefined : new AddressList(deny as string[]),
      broken: false,
    };
  } catch {
    return { allow: undefined, deny: undefined, broken: true };
  }
}

/** Why the key may not be used from `ip`, or undefined when it may. */
export function keyIpRefusal(rules: KeyIpRules, ip: string): string | undefined {
  if (rules.broken) return "the key's ip_allow / ip_deny does not parse";
  const list = refusingList(rules.allow, rules.deny, ip);
  if (list === undefined) return undefined;
  return list === 'deny' ? `${ip} is on the key's ip_deny list` : `${ip} is not on the key's ip_allow list`;
}
