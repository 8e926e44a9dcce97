/**
 * jwt-auth: verifies JWT bearer tokens (RFC 7519, RFC 9068 access tokens) locally, with keys from
 * configuration, a JWKS URL or an IdP's discovery document, and maps the token to a consumer or app.
 *
 * Any-of with the other identify plugins: without a token (or with a `kw_` API key, or an opaque token
 * without dots, which belong to key-auth and oauth2-introspection) it only records its challenge. A
 * token that is there but fails any check is 401 KW_ERR_AUTH_INVALID, with the same body whatever
 * failed; the reason goes to the `keyway:auth:rejected` channel, without the token.
 */
import { KeywayError } from '../../core/errors.js';
import { publishReject, type RejectReason } from '../../keys/auth-events.js';
import { certificateBindingHolds } from '../../keys/jwt/cert-binding.js';
import { acceptClaims } from '../../keys/jwt/claims-identity.js';
import { JwksUnavailable } from '../../keys/jwt/jwks-cache.js';
import { findToken } from '../../keys/jwt/token-source.js';
import { createJwtKeySources, verifyJwt } from '../../keys/jwt/verify-jwt.js';
import type { RequestContext } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { buildVerifier, jwtAuthSchema, type JwtAuthConfig } from './config.js';

const NAME = 'jwt-auth';
export const BEARER_CHALLENGE = 'Bearer realm="keyway"';
/** RFC 6750 §3.1: `invalid_token` covers expired, revoked, malformed and forged alike — no hint which. */
const INVALID_CHALLENGE = 'Bearer realm="keyway", error="invalid_token"';

export const jwtAuth = definePlugin<JwtAuthConfig>({
  name: NAME,
  description: 'Verifies JWT bearer tokens (JWKS, discovery or static keys) and identifies the caller.',
  priority: 950,
  configSchema: jwtAuthSchema,
  create(config, env) {
    const { issuers, policy } = buildVerifier(config, env.services.now);
    // The node's key sets, kept across reloads; without a node (a config check), this instance's own.
    const sources = env.services.jwtKeys ?? createJwtKeySources();
    const anonymous = env.identities.anonymous(config.anonymous);
    const reject = (ctx: RequestContext, reason: RejectReason, detail?: string): never => {
      publishReject({ plugin: NAME, requestId: ctx.requestId, reason, detail });
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
        // No dot: not a JWS compact serialization; an opaque token is another plugin's to judge.
        if (found === undefined || !found.token.includes('.')) {
          ctx.credentialMissing(BEARER_CHALLENGE, anonymous);
          return;
        }
        let result;
        try {
          result = await verifyJwt(found.token, issuers, policy, sources);
        } catch (err) {
          if (!(err instanceof JwksUnavailable)) throw err;
          // The keys that could decide are out of reach: refuse, never pass (fail closed).
          publishReject({
            plugin: NAME,
            requestId: ctx.requestId,
            reason: 'unavailable',
            detail: err.reason,
          });
          throw new KeywayError('KW_ERR_AUTH_UNAVAILABLE', {}, { headers: { 'retry-after': '5' } });
        }
        if (!result.ok) return reject(ctx, result.reason, result.detail);
        const claims = result.claims as Record<string, unknown>;
        if (!certificateBindingHolds(ctx, claims)) return reject(ctx, 'binding');

        acceptClaims(ctx, {
          plugin: NAME,
          identities: env.identities,
          claims,
          mapping: config.identity,
          attributes: { claims, issuer: result.issuer.issuer, credential: 'jwt' },
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
