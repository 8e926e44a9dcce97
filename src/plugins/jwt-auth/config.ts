/**
 * jwt-auth configuration: its JSON schema (validated, defaults applied, before `create`) and the checks
 * a schema cannot express, turned into the per-issuer key sources the verifier uses.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { ALGORITHMS, HMAC_MIN_BYTES, defaultAlgorithms } from '../../keys/jwt/algorithms.js';
import { SECRET_KEYWORD } from '../../core/secret-fields.js';
import { identityMappingSchema, rolesClaimSchema } from '../../keys/jwt/claims-identity.js';
import { issuerFromDiscoveryUrl } from '../../keys/jwt/discovery.js';
import { checkAuthServerUrl } from '../../keys/jwt/http-json.js';
import { KeyRing } from '../../keys/jwt/key-ring.js';
import { tokenSourceSchema } from '../../keys/jwt/token-source.js';
import type { IssuerKeys, VerifyPolicy } from '../../keys/jwt/verify-jwt.js';

const stringList = (max: number) =>
  ({
    type: 'array',
    maxItems: max,
    uniqueItems: true,
    items: { type: 'string', minLength: 1, maxLength: 1024 },
  }) as const;

/** Key material a JWK may carry (RFC 7518 §6.2.2, §6.3.2, §6.4.1): sealed at rest, never shown. */
const jwkSecret = { type: 'string', [SECRET_KEYWORD]: true } as const;

/**
 * A static verification key. Secret-bearing fields (docs/plugins.md#secrets): `secret`, an HMAC key;
 * a JWK's private members (`k` of an `oct` key, `d`, `p`, `q`… of a private RSA/EC/OKP key, of which
 * only the public half is used); and `pem` when someone pastes a private key rather than its public half.
 */
const staticKeySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kid: { type: 'string', minLength: 1, maxLength: 256 },
    pem: { type: 'string', minLength: 1, maxLength: 16384, [SECRET_KEYWORD]: 'private-key' },
    jwk: {
      type: 'object',
      properties: {
        k: jwkSecret,
        d: jwkSecret,
        p: jwkSecret,
        q: jwkSecret,
        dp: jwkSecret,
        dq: jwkSecret,
        qi: jwkSecret,
        oth: {
          type: 'array',
          items: { type: 'object', properties: { r: jwkSecret, d: jwkSecret, t: jwkSecret } },
        },
      },
    },
    secret: { type: 'string', minLength: 1, maxLength: 1024, [SECRET_KEYWORD]: true },
    secret_encoding: { enum: ['utf8', 'base64url'], default: 'utf8' },
  },
  oneOf: [{ required: ['pem'] }, { required: ['jwk'] }, { required: ['secret'] }],
} as const;

export const jwtAuthSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['issuers'],
  properties: {
    issuers: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          issuer: { type: 'string', minLength: 1, maxLength: 1024 },
          discovery: { type: 'string', minLength: 1, maxLength: 2048 },
          jwks_uri: { type: 'string', minLength: 1, maxLength: 2048 },
          keys: { type: 'array', minItems: 1, maxItems: 32, items: staticKeySchema },
          audiences: stringList(32),
        },
        oneOf: [{ required: ['discovery'] }, { required: ['jwks_uri'] }, { required: ['keys'] }],
      },
    },
    audiences: { ...stringList(32), default: [] },
    algorithms: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ALGORITHMS] } },
    clock_skew_s: { type: 'integer', minimum: 0, maximum: 300, default: 60 },
    max_token_age_s: { type: 'integer', minimum: 1, maximum: 31_536_000 },
    max_token_bytes: { type: 'integer', minimum: 256, maximum: 65536, default: 8192 },
    required_claims: { ...stringList(32), default: ['exp'] },
    required_scopes: { ...stringList(64), default: [] },
    roles_claim: rolesClaimSchema,
    typ: { type: 'string', minLength: 1, maxLength: 128 },
    identity: identityMappingSchema([
      { claim: 'sub', lookup: 'username' },
      { claim: 'sub', lookup: 'custom_id' },
    ]),
    ...tokenSourceSchema,
    hide_credentials: { type: 'boolean', default: false },
    anonymous: { type: 'string', minLength: 1, maxLength: 128 },
    jwks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cooldown_s: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
        kid_refetch_ms: { type: 'integer', minimum: 100, maximum: 600_000, default: 1000 },
        max_age_s: { type: 'integer', minimum: 10, maximum: 86400, default: 600 },
        timeout_ms: { type: 'integer', minimum: 100, maximum: 30000, default: 3000 },
      },
      default: {},
    },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type JwtAuthConfig = FromSchema<typeof jwtAuthSchema>;
export type IssuerConfig = JwtAuthConfig['issuers'][number];

/**
 * Builds the issuer table and verification policy. Throws a message naming the field (never a key or
 * secret) for anything the schema could not catch; compile turns it into a config problem.
 */
export function buildVerifier(
  cfg: JwtAuthConfig,
  /** The JWKS cache's clock (tests inject one). */
  now?: () => number,
): {
  issuers: Map<string, IssuerKeys>;
  policy: VerifyPolicy;
} {
  const issuers = new Map<string, IssuerKeys>();
  cfg.issuers.forEach((ic, i) => {
    const where = `issuers/${i}`;
    const discovery =
      ic.discovery === undefined ? undefined : checkAuthServerUrl(ic.discovery, `${where}/discovery`).href;
    const jwksUri =
      ic.jwks_uri === undefined ? undefined : checkAuthServerUrl(ic.jwks_uri, `${where}/jwks_uri`).href;
    const issuer = ic.issuer ?? (discovery === undefined ? undefined : issuerFromDiscoveryUrl(discovery));
    if (issuer === undefined)
      throw new Error(`${where}/issuer: required unless discovery is an OIDC well-known URL`);
    if (issuers.has(issuer)) throw new Error(`${where}/issuer: "${issuer}" is configured twice`);
    // RFC 8725 §3.9: a token for another relying party of the same issuer must not pass here.
    const audiences = ic.audiences ?? cfg.audiences;
    if (audiences.length === 0) throw new Error(`${where}/audiences: set audiences here or at the top level`);
    const staticKeys = ic.keys === undefined ? undefined : KeyRing.fromStatic(ic.keys, where);
    ic.keys?.forEach((k, j) => {
      if (k.secret === undefined) return;
      const bytes = Buffer.byteLength(k.secret, k.secret_encoding === 'base64url' ? 'base64url' : 'utf8');
      if (bytes < (HMAC_MIN_BYTES.HS256 ?? 32))
        throw new Error(`${where}/keys/${j}/secret: must be at least 32 bytes (RFC 7518 §3.2)`);
    });
    issuers.set(issuer, { issuer, audiences, staticKeys, jwksUri, discoveryUrl: discovery });
  });
  const hasSecret = [...issuers.values()].some((i) => i.staticKeys?.hasSecret === true);
  const algorithms = new Set(cfg.algorithms ?? defaultAlgorithms(hasSecret));
  return {
    issuers,
    policy: {
      algorithms,
      clockSkewS: cfg.clock_skew_s,
      maxTokenBytes: cfg.max_token_bytes,
      requiredClaims: cfg.required_claims,
      typ: cfg.typ,
      maxTokenAgeS: cfg.max_token_age_s,
      jwks: {
        cooldownMs: cfg.jwks.cooldown_s * 1000,
        maxAgeMs: cfg.jwks.max_age_s * 1000,
        timeoutMs: cfg.jwks.timeout_ms,
        kidRefetchMs: cfg.jwks.kid_refetch_ms ?? 1000,
        ...(now === undefined ? {} : { now }),
      },
    },
  };
}
