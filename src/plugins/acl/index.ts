/**
 * `acl`: roles per route and method (docs/access-control.md). A caller holds the roles of its consumer's
 * `groups`, its app's `roles` and, for a token, the claim `roles_claim` names (jwt-auth,
 * oauth2-introspection); a route requires one of `roles` — or, for a method listed under `methods`, one of
 * that method's. Missing: 403 KW_ERR_ROLE_REQUIRED, the decision `role` on the call record. The client is
 * not told which roles would do: they describe the operator's policy.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { HTTP_METHODS } from '../../model/route.js';
import { roleListSchema } from '../../model/common.js';
import type { RequestContext } from '../../pipeline/context.js';
import { accessModeSchema, refuseAccess } from '../../pipeline/decisions.js';
import { definePlugin } from '../../pipeline/plugin.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    roles: {
      ...roleListSchema,
      default: [],
      description: 'The caller needs one of these roles, for every method not under `methods` ([]: none).',
    },
    methods: {
      type: 'object',
      default: {},
      maxProperties: HTTP_METHODS.length,
      propertyNames: { enum: [...HTTP_METHODS] },
      additionalProperties: roleListSchema,
      description: 'Per method, the roles of which the caller needs one instead (`DELETE: [admin]`).',
    },
    mode: accessModeSchema,
  },
} as const;

export type AclConfig = FromSchema<typeof configSchema>;

export const acl = definePlugin<AclConfig>({
  name: 'acl',
  description:
    'Requires one of the listed roles (consumer groups, app roles, token claims) per route and method.',
  // After ip-restriction (900), before attribute rules (700): a cheap set lookup before a CEL evaluation.
  priority: 800,
  configSchema,
  create(config) {
    const all = new Set(config.roles);
    const byMethod = new Map<string, ReadonlySet<string>>(
      Object.entries(config.methods).map(([m, roles]) => [m, new Set(roles)]),
    );
    const requiredFor = (method: string): ReadonlySet<string> => byMethod.get(method) ?? all;
    return {
      authorize(ctx: RequestContext) {
        const method = ctx.req.method ?? 'GET';
        const required = requiredFor(method);
        if (required.size === 0) return;
        const held = ctx.identity?.roles;
        if (held !== undefined) for (const r of held) if (required.has(r)) return;
        const who =
          ctx.identity === undefined ? 'an anonymous caller' : `consumer ${ctx.identity.consumerName}`;
        const holds = held === undefined || held.length === 0 ? 'no role' : `roles ${held.join(', ')}`;
        refuseAccess(
          ctx,
          'role',
          `${method} needs one of ${[...required].join(', ')}; ${who} holds ${holds}`,
          config.mode,
          'KW_ERR_ROLE_REQUIRED',
        );
      },
    };
  },
});
