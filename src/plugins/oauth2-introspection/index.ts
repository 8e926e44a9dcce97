/**
 * oauth2-introspection: checks opaque bearer tokens with the authorization server's RFC 7662
 * introspection endpoint, caches the answer (bounded by the token's `exp`), and maps the token to a
 * consumer or app like jwt-auth does.
 *
 * `client_secret` is a secret: it is sent only to the endpoint, never logged, never in an error.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { KeywayError } from '../../core/errors.js';
import { SECRET_KEYWORD } from '../../core/secret-fields.js';
import { publishReject, type RejectReason } from '../../keys/auth-events.js';
import { certificateBindingHolds } from '../../keys/jwt/cert-binding.js';
import { acceptClaims, identityMappingSchema, rolesClaimSchema } from '../../keys/jwt/claims-identity.js';
import { checkAuthServerUrl } from '../../keys/jwt/http-json.js';
import { findToken, tokenSourceSchema } from '../../keys/jwt/token-source.js';
import type { RequestContext } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { introspect, IntrospectionUnavailable, type IntrospectionClient } from './introspect.js';
import { IntrospectionCaches } from './token-cache.js';

const NAME = 'oauth2-introspection';
const CHALLENGE = 'Bearer realm="keyway"';
const INVALID_CHALLENGE = 'Bearer realm="keyway", error="invalid_token"';

const strings = {
  type: 'array',
  uniqueItems: true,
  maxItems: 64,
  items: { type: 'string', minLength: 1 },
} as const;

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint', 'client_id', 'client_secret'],
  properties: {
    endpoint: { type: 'string', minLength: 1, maxLength: 2048 },
    client_id: { type: 'string', minLength: 1, maxLength: 256 },
    // Sealed at rest, shown as {"sealed": true}, exported sealed (docs/plugins.md#secrets).
    client_secret: { type: 'string', minLength: 1, maxLength: 1024, [SECRET_KEYWORD]: true },
    auth_method: { enum: ['client_secret_basic', 'client_secret_post'], default: 'client_secret_basic' },
    token_type_hint: { type: 'string', minLength: 1, maxLength: 64, default: 'access_token' },
    timeout_ms: { type: 'integer', minimum: 100, maximum: 30000, default: 3000 },
    audiences: { ...strings, default: [] },
    required_scopes: { ...strings, default: [] },
    roles_claim: rolesClaimSchema,
    identity: identityMappingSchema([
      { claim: 'sub', lookup: 'username' },
      { claim: 'sub', lookup: 'custom_id' },
      { claim: 'client_id', lookup: 'client_id' },
    ]),
    max_token_bytes: { type: 'integer', minimum: 64, maximum: 65536, default: 8192 },
    cache: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max_ttl_s: { type: 'integer', minimum: 0, maximum: 86400, default: 300 },
        max_entries: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10_000 },
        negative_ttl_s: { type: 'integer', minimum: 0, maximum: 300, default: 10 },
        negative_max_entries: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1000 },
      },
      default: {},
    },
    ...tokenSourceSchema,
    hide_credentials: { type: 'boolean', default: false },
    anonymous: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type IntrospectionConfig = FromSchema<typeof configSchema>;

export const oauth2Introspection = definePlugin<IntrospectionConfig>({
  name: NAME,
  description:
    'Checks opaque OAuth 2.0 tokens with RFC 7662 introspection (cached) and identifies the caller.',
  priority: 900,
  configSchema,
  create(config, env) {
    const client: IntrospectionClient = {
      endpoint: checkAuthServerUrl(config.endpoint, 'endpoint').href,
      clientId: config.client_id,
      clientSecret: config.client_secret,
      authMethod: config.auth_method,
      tokenTypeHint: config.token_type_hint,
      timeoutMs: config.timeout_ms,
      maxTtlMs: config.cache.max_ttl_s * 1000,
      negativeTtlMs: config.cache.negative_ttl_s * 1000,
    };
    // The node's caches, kept across reloads; without a node (a config check), this instance's own.
    const cache = (env.services.introspection ?? new IntrospectionCaches()).cacheFor(
      client.endpoint,
      client.clientId,
      config.cache.max_entries,
      config.cache.negative_max_entries,
    );
    const anonymous = env.identities.anonymous(config.anonymous);
    const audiences = new Set(config.audiences);
    const reject = (ctx: RequestContext, reason: RejectReason): never => {
      publishReject({ plugin: NAME, requestId: ctx.requestId, reason });
      throw new KeywayError(
        'KW_ERR_AUTH_INVALID',
        {},
        { headers: { 'www-authenticate': INVALID_CHALLENGE } },
      );
    };

    return {
      requiredScopes: config.required_scopes,
      async identify(ctx) {
        const found = findToken(ctx, config);
        if (found === undefined) {
          ctx.credentialMissing(CHALLENGE, anonymous);
          return;
        }
        // Checked before anything else: an oversized token is not sent to the authorization server.
        if (found.token.length > config.max_token_bytes) return reject(ctx, 'too-large');
        let claims;
        try {
          claims = await introspect(found.token, client, cache);
        } catch (err) {
          if (!(err instanceof IntrospectionUnavailable)) throw err;
          publishReject({ plugin: NAME, requestId: ctx.requestId, reason: 'unavailable' });
          throw new KeywayError('KW_ERR_AUTH_UNAVAILABLE', {}, { headers: { 'retry-after': '5' } });
        }
        if (claims === undefined) return reject(ctx, 'inactive');
        if (audiences.size > 0 && !audienceMatches(claims.aud, audiences)) return reject(ctx, 'audience');
        if (!certificateBindingHolds(ctx, claims)) return reject(ctx, 'binding');

        acceptClaims(ctx, {
          plugin: NAME,
          identities: env.identities,
          claims,
          mapping: config.identity,
          attributes: { claims, credential: 'introspection' },
          requiredScopes: config.required_scopes,
          rolesClaim: config.roles_claim,
          anonymous,
          hide: config.hide_credentials ? found : undefined,
          reject,
        });
      },
    };
  },
});

function audienceMatches(aud: unknown, allowed: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return allowed.has(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && allowed.has(a));
}
