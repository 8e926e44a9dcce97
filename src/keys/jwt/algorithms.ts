/**
 * The JWS algorithms Keyway verifies and the one key type each may use.
 *
 * RFC 8725 §3.1 (JWT BCP): a verifier must pin which algorithm goes with which key, or an attacker picks
 * the algorithm. The classic attack signs `alg: HS256` with the issuer's RSA *public* key as the HMAC
 * secret; a verifier that lets the token's header choose the algorithm for a key accepts it. Here every
 * key is a node `KeyObject` whose real type is checked against this table before it is tried, so an RSA
 * key can only ever verify RS* and PS*, an EC key only the ES* of its curve, a secret only HS*.
 */
import type { KeyObject } from 'node:crypto';

export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export const ALGORITHMS = [...SYMMETRIC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS] as const;
export type JwsAlgorithm = (typeof ALGORITHMS)[number];

/** Minimum HMAC key length in bytes: RFC 7518 §3.2 requires a key at least as long as the hash output. */
export const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

const EC_CURVES: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

export function isAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return typeof alg === 'string' && (ALGORITHMS as readonly string[]).includes(alg);
}

/** True when `key` is of the one type `alg` may be verified with (RFC 8725 §3.1). */
export function keyFitsAlgorithm(key: KeyObject, alg: JwsAlgorithm): boolean {
  if (alg.startsWith('HS')) {
    return key.type === 'secret' && (key.symmetricKeySize ?? 0) >= (HMAC_MIN_BYTES[alg] ?? 32);
  }
  if (key.type !== 'public') return false;
  const kind = key.asymmetricKeyType;
  if (alg.startsWith('RS')) return kind === 'rsa';
  // An `rsa-pss` key is restricted to PSS by its own parameters; a plain RSA key may sign PSS too.
  if (alg.startsWith('PS')) return kind === 'rsa' || kind === 'rsa-pss';
  if (alg.startsWith('ES')) return kind === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[alg];
  return kind === 'ed25519' || kind === 'ed448';
}

/**
 * The allow-list when the configuration names none: every asymmetric algorithm, plus HS* only when an
 * issuer has a shared secret configured (otherwise no HS token can be legitimate).
 */
export function defaultAlgorithms(hasSecret: boolean): JwsAlgorithm[] {
  return hasSecret ? [...ALGORITHMS] : [...ASYMMETRIC_ALGORITHMS];
}
