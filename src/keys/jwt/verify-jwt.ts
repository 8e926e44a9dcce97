/**
 * Verifies one compact JWS JWT (RFC 7519) against a per-issuer key configuration.
 *
 * Order matters: cheap structural checks first (size, shape, header) so hostile input is refused before
 * any JSON or crypto work; the unverified `iss` only *selects* which issuer's keys may verify, and is then
 * checked again by jose after the signature, so issuer A's keys can never vouch for a token claiming
 * issuer B (RFC 8725 §3.8). jose does the signature and the registered-claim checks.
 */
import { jwtVerify, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import { isAlgorithm, type JwsAlgorithm } from './algorithms.js';
import type { RejectReason } from '../auth-events.js';
import { DiscoveryCache } from './discovery.js';
import { JwksCache, type JwksOptions } from './jwks-cache.js';
import type { KeyRing } from './key-ring.js';

declare module '../../pipeline/plugin.js' {
  interface PluginServices {
    /** The node's JWKS and discovery caches, kept across reloads (server/node-caches.ts). Absent: per plugin instance. */
    readonly jwtKeys?: JwtKeySources;
  }
}

export interface IssuerKeys {
  issuer: string;
  audiences: readonly string[];
  staticKeys: KeyRing | undefined;
  jwksUri: string | undefined;
  discoveryUrl: string | undefined;
}

export interface VerifyPolicy {
  algorithms: ReadonlySet<JwsAlgorithm>;
  clockSkewS: number;
  maxTokenBytes: number;
  requiredClaims: readonly string[];
  /** Required `typ` header (RFC 9068 §4: `at+jwt`), or undefined to accept any. */
  typ: string | undefined;
  maxTokenAgeS: number | undefined;
  jwks: JwksOptions;
}

/** Where remote keys come from: the node's caches (PluginServices.jwtKeys), kept across reloads. */
export interface JwtKeySources {
  readonly jwks: JwksCache;
  readonly discovery: DiscoveryCache;
}

export function createJwtKeySources(): JwtKeySources {
  return { jwks: new JwksCache(), discovery: new DiscoveryCache() };
}

export type VerifyResult =
  { ok: true; claims: JWTPayload; issuer: IssuerKeys } | { ok: false; reason: RejectReason; detail?: string };

/**
 * Header parameters that point at key material. RFC 8725 §3.10 and §2.7: a token must not choose the key
 * it is verified with, and following `jku`/`x5u` makes the gateway fetch attacker URLs (SSRF). We never
 * use them, and refuse tokens that carry them rather than silently ignoring a signal of tampering.
 * `crit` names extensions we do not implement: RFC 7515 §4.1.11 requires rejecting such tokens.
 */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'enc', 'zip'] as const;

/**
 * A `kid` is an opaque label (RFC 7515 §4.1.4), but implementations have used it as a file path or SQL
 * key; Keyway only compares it, yet refuses values no real issuer emits (traversal, quotes, control
 * characters, absurd length) so such probes stop at the cheapest check.
 */
const SAFE_KID = /^[A-Za-z0-9._~+/=:-]{1,256}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Bounds the work one token can cause when several keys match (no `kid`). */
const MAX_CANDIDATES = 5;

export async function verifyJwt(
  token: string,
  issuers: ReadonlyMap<string, IssuerKeys>,
  policy: VerifyPolicy,
  sources: JwtKeySources,
): Promise<VerifyResult> {
  // Before any parsing: an 8 KiB bound keeps base64 + JSON work per request small (RFC 8725 §3.x DoS).
  if (token.length > policy.maxTokenBytes) return { ok: false, reason: 'too-large' };
  const parts = token.split('.');
  // Three non-empty segments: a JWE (5 parts) or an unsecured JWT (`alg: none`, empty signature) is out.
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return { ok: false, reason: 'malformed' };
  const header = decodeSegment(parts[0] ?? '');
  const payload = decodeSegment(parts[1] ?? '');
  if (header === undefined || payload === undefined) return { ok: false, reason: 'malformed' };

  const alg = header.alg;
  // RFC 8725 §3.1: the allow-list decides; `none` is never in it.
  if (!isAlgorithm(alg) || !policy.algorithms.has(alg)) return { ok: false, reason: 'algorithm' };
  if (FORBIDDEN_HEADERS.some((h) => h in header)) return { ok: false, reason: 'header' };
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || !SAFE_KID.test(kid) || kid.includes('..')))
    return { ok: false, reason: 'kid' };

  const iss = payload.iss;
  const cfg = typeof iss === 'string' ? issuers.get(iss) : undefined;
  if (cfg === undefined) return { ok: false, reason: 'issuer' };

  const keys = await keysFor(cfg, alg, kid, policy.jwks, sources);
  if (keys === 'unknown-kid') return { ok: false, reason: 'kid' };
  if (keys.length === 0) return { ok: false, reason: 'no-key' };

  for (const key of keys.slice(0, MAX_CANDIDATES)) {
    try {
      const { payload: claims } = await jwtVerify(token, key, {
        algorithms: [alg],
        issuer: cfg.issuer,
        audience: cfg.audiences.length > 0 ? [...cfg.audiences] : undefined,
        clockTolerance: policy.clockSkewS,
        requiredClaims: [...policy.requiredClaims],
        typ: policy.typ,
        maxTokenAge: policy.maxTokenAgeS,
      });
      // jose checks `iat` only with maxTokenAge; a token issued in the future is refused either way.
      if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + policy.clockSkewS)
        return { ok: false, reason: 'claims', detail: 'iat' };
      return { ok: true, claims, issuer: cfg };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') continue;
      return rejectionFor(err);
    }
  }
  return { ok: false, reason: 'signature' };
}

async function keysFor(
  cfg: IssuerKeys,
  alg: JwsAlgorithm,
  kid: string | undefined,
  opts: JwksOptions,
  sources: JwtKeySources,
): Promise<KeyObject[] | 'unknown-kid'> {
  if (cfg.staticKeys !== undefined) {
    // A static set never changes at runtime: an unknown `kid` is simply wrong.
    if (kid !== undefined && cfg.staticKeys.hasKids && !cfg.staticKeys.hasKid(kid)) return 'unknown-kid';
    return cfg.staticKeys.candidates(alg, kid);
  }
  const url = await jwksUrl(cfg, opts.timeoutMs, sources.discovery);
  let ring = await sources.jwks.get(url, opts);
  if (kid !== undefined && !ring.hasKid(kid)) {
    // Rotation: the issuer may have published a new key since we fetched (bounded by the cooldown).
    ring = await sources.jwks.refreshForUnknownKid(url, opts);
    if (!ring.hasKid(kid)) return 'unknown-kid';
  }
  return ring.candidates(alg, kid);
}

async function jwksUrl(cfg: IssuerKeys, timeoutMs: number, discovery: DiscoveryCache): Promise<string> {
  if (cfg.jwksUri !== undefined) return cfg.jwksUri;
  if (cfg.discoveryUrl === undefined) throw new Error('issuer has no key source');
  return (await discovery.get(cfg.discoveryUrl, cfg.issuer, timeoutMs)).jwksUri;
}

function rejectionFor(err: unknown): VerifyResult {
  const e = err as { code?: unknown; claim?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'unknown';
  if (code === 'ERR_JWT_EXPIRED') return { ok: false, reason: 'expired', detail: String(e.claim) };
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (e.claim === 'aud') return { ok: false, reason: 'audience' };
    if (e.claim === 'iss') return { ok: false, reason: 'issuer' };
    if (e.claim === 'typ') return { ok: false, reason: 'typ' };
    return { ok: false, reason: 'claims', detail: String(e.claim) };
  }
  return { ok: false, reason: 'malformed', detail: code };
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
