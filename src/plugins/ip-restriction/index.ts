/**
 * `ip-restriction`: allows or denies callers by client address (docs/access-control.md). The address is
 * `ctx.clientIp`, which honours `proxy.trusted_proxies` (the first untrusted hop of X-Forwarded-For).
 * Deny wins; a non-empty allow list admits only what it lists. Attached globally, per service, route or
 * consumer like every plugin (the most specific config wins); a key's own `ip_allow` / `ip_deny` metadata
 * is enforced by key-auth wherever the key is used.
 *
 * Runs first in the authorize phase (an address check costs one BlockList lookup) and after identify, so
 * a consumer-scoped config applies to that consumer.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { AddressList, CidrError, cidrListSchema, refusingList } from '../../core/cidr.js';
import { accessModeSchema, refuseAccess } from '../../pipeline/decisions.js';
import { definePlugin, PluginConfigError } from '../../pipeline/plugin.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    allow: { ...cidrListSchema, default: [], description: 'Addresses or CIDR blocks admitted (empty: any).' },
    deny: { ...cidrListSchema, default: [], description: 'Addresses or CIDR blocks refused; deny wins.' },
    mode: accessModeSchema,
  },
} as const;

export type IpRestrictionConfig = FromSchema<typeof configSchema>;

function compile(entries: readonly string[], field: string): AddressList {
  try {
    return new AddressList(entries);
  } catch (err) {
    if (err instanceof CidrError) throw new PluginConfigError(`/${field}/${err.index}`, err.message);
    throw err;
  }
}

export const ipRestriction = definePlugin<IpRestrictionConfig>({
  name: 'ip-restriction',
  description:
    'Allows or denies callers by client address (IPv4/IPv6 CIDR lists), honouring trusted proxies.',
  priority: 900,
  configSchema,
  create(config, env) {
    const allow = compile(config.allow, 'allow');
    const deny = compile(config.deny, 'deny');
    const check = `ip:${env.level ?? 'global'}`;
    const where = env.scope ?? 'global';
    return {
      authorize(ctx) {
        const ip = ctx.clientIp;
        const list = refusingList(allow, deny, ip);
        if (list === undefined) return;
        const why = list === 'deny' ? `${ip} is on the deny list` : `${ip} is not on the allow list`;
        refuseAccess(ctx, check, `${why} (${where})`, config.mode, 'KW_ERR_IP_DENIED');
      },
    };
  },
});
