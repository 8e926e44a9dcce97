/**
 * From verified token claims (a JWT's payload or an introspection response, RFC 7662 §2.2) to a
 * Keyway identity: which claim names the caller, how that value is looked up among consumers and apps,
 * and which scopes the token grants. Shared by jwt-auth and oauth2-introspection so both map alike.
 */
import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { Identity } from '../../pipeline/identity.js';
import type { Identities } from '../../pipeline/identity.js';
import { publishReject, type RejectReason } from '../auth-events.js';
import { hideToken, type FoundToken } from './token-source.js';

/** RFC 6750 §3.1: the challenge for a valid token that lacks a scope the route requires. */
const SCOPE_CHALLENGE = 'Bearer realm="keyway", error="insufficient_scope"';

export type LookupKind = 'username' | 'custom_id' | 'consumer_id' | 'client_id' | 'app_name';

/** One way to find the caller: the value of `claim`, looked up as `lookup`. */
export interface IdentityRule {
  claim: string;
  lookup: LookupKind;
}

/** Rules tried in order; the first whose claim is present and whose lookup finds someone wins. */
export type IdentityMapping = IdentityRule[];

export function identityMappingSchema(defaults: IdentityMapping) {
  return {
    type: 'array',
    minItems: 1,
    maxItems: 16,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['claim', 'lookup'],
      properties: {
        claim: { type: 'string', minLength: 1, maxLength: 128 },
        lookup: { enum: ['username', 'custom_id', 'consumer_id', 'client_id', 'app_name'] },
      },
    },
    default: defaults,
  } as const;
}

export type MapResult = { ok: true; identity: Identity } | { ok: false; reason: 'unmapped' | 'disabled' };

export function mapIdentity(
  idx: Identities,
  claims: Readonly<Record<string, unknown>>,
  mapping: IdentityMapping,
  extra: { scopes: string[] | undefined; roles?: string[]; attributes: Record<string, unknown> },
): MapResult {
  for (const { claim, lookup } of mapping) {
    const handle = claims[claim];
    if (typeof handle !== 'string' || handle === '') continue;
    if (lookup === 'client_id' || lookup === 'app_name') {
      const app = lookup === 'client_id' ? idx.appByClientId.get(handle) : idx.appByName.get(handle);
      if (app === undefined) continue;
      // A disabled app or consumer is refused as if unknown (model/consumer.ts): 401, not 403.
      if (!app.enabled) return { ok: false, reason: 'disabled' };
      return { ok: true, identity: idx.appIdentity(app, extra) };
    }
    const consumer =
      lookup === 'username'
        ? idx.consumerByUsername.get(handle)
        : lookup === 'custom_id'
          ? idx.consumerByCustomId.get(handle)
          : idx.consumerById.get(handle);
    if (consumer === undefined) continue;
    if (!consumer.enabled) return { ok: false, reason: 'disabled' };
    return { ok: true, identity: idx.consumerIdentity(consumer, extra) };
  }
  return { ok: false, reason: 'unmapped' };
}

/**
 * Scopes a token grants: `scope` is a space-separated string (RFC 8693 §4.2, RFC 7662 §2.2, RFC 9068
 * §2.2.3); `scp` (an array, or a string) is what several IdPs emit instead. Undefined when neither is set.
 */
export function tokenScopes(claims: Readonly<Record<string, unknown>>): string[] | undefined {
  const fromString = (v: string): string[] => v.split(' ').filter((s) => s !== '');
  const scope = claims.scope;
  if (typeof scope === 'string') return fromString(scope);
  const scp = claims.scp;
  if (typeof scp === 'string') return fromString(scp);
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string' && s !== '');
  return undefined;
}

/** The config field both token plugins take to map a claim to roles (docs/access-control.md). */
export const rolesClaimSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[^.]+(\\.[^.]+)*$',
  description:
    "Dotted path of the claim holding the caller's roles (`roles`, `realm_access.roles`): a list of strings " +
    "or a space-separated string. They add to the consumer's groups and the app's roles.",
} as const;

/**
 * Roles a token grants under a dotted claim path (`realm_access.roles` is Keycloak's): a list of strings
 * or a space-separated string. Undefined when the path is unset or holds neither.
 */
export function tokenRoles(
  claims: Readonly<Record<string, unknown>>,
  path: string | undefined,
): string[] | undefined {
  if (path === undefined) return undefined;
  let v: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = Object.prototype.hasOwnProperty.call(v, part) ? (v as Record<string, unknown>)[part] : undefined;
  }
  if (typeof v === 'string') return v.split(' ').filter((s) => s !== '');
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string' && s !== '');
  return undefined;
}

/** True when the identity holds every required scope. */
export function hasScopes(identity: Identity, required: readonly string[]): boolean {
  if (required.length === 0) return true;
  const held = new Set(identity.scopes ?? []);
  return required.every((s) => held.has(s));
}

/**
 * The last step both token plugins share, once a token's claims are trusted: find who it names (or fall
 * back to `anonymous` when it names nobody), require the route's scopes, strip the token if asked, and
 * set the identity. `reject` throws the plugin's 401.
 */
export function acceptClaims(
  ctx: RequestContext,
  opts: {
    plugin: string;
    identities: Identities;
    claims: Readonly<Record<string, unknown>>;
    mapping: IdentityMapping;
    attributes: Record<string, unknown>;
    requiredScopes: readonly string[];
    /** `roles_claim`: where the token's roles are. */
    rolesClaim?: string | undefined;
    anonymous: Identity | undefined;
    hide: FoundToken | undefined;
    reject: (ctx: RequestContext, reason: RejectReason) => never;
  },
): void {
  const roles = tokenRoles(opts.claims, opts.rolesClaim);
  const mapped = mapIdentity(opts.identities, opts.claims, opts.mapping, {
    scopes: tokenScopes(opts.claims),
    ...(roles === undefined ? {} : { roles }),
    attributes: opts.attributes,
  });
  let identity: Identity;
  if (mapped.ok) {
    // Checked here rather than in `authorize`: the requirement belongs to the credential this plugin
    // accepted, and a consumer-scoped configuration must not be able to skip it.
    if (!hasScopes(mapped.identity, opts.requiredScopes)) {
      publishReject({ plugin: opts.plugin, requestId: ctx.requestId, reason: 'scope' });
      const held = new Set(mapped.identity.scopes ?? []);
      const missing = opts.requiredScopes.filter((r) => !held.has(r));
      const decision = {
        check: 'scope',
        effect: 'deny' as const,
        reason: `the token lacks scope ${missing.join(', ')}`,
      };
      (ctx.decisions ??= []).push(decision);
      throw new KeywayError('KW_ERR_FORBIDDEN', {}, { headers: { 'www-authenticate': SCOPE_CHALLENGE } });
    }
    identity = mapped.identity;
  } else if (mapped.reason === 'unmapped' && opts.anonymous !== undefined) {
    identity = opts.anonymous;
  } else {
    return opts.reject(ctx, mapped.reason);
  }
  if (opts.hide !== undefined) hideToken(ctx, opts.hide);
  ctx.identity = identity;
}
