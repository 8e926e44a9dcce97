/**
 * A set of verification keys (one issuer's static keys, or one fetched JWKS) and the choice of which
 * keys may verify a given token header.
 *
 * Keys are imported once into node `KeyObject`s so their real type is known (see algorithms.ts); the
 * token header only narrows the candidates (`kid`, `alg`), it never supplies key material: `jwk`, `jku`,
 * `x5u` and `x5c` headers are refused before we get here (RFC 8725 §3.10, §2.7).
 */
import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { keyFitsAlgorithm, type JwsAlgorithm } from './algorithms.js';

export interface StaticKeyConfig {
  kid?: string;
  /** SPKI or X.509 PEM (a public key; a private key is accepted and reduced to its public half). */
  pem?: string;
  jwk?: Record<string, unknown>;
  /** Shared HMAC secret. */
  secret?: string;
  secret_encoding?: 'utf8' | 'base64url';
}

interface RingEntry {
  kid: string | undefined;
  /** The `alg` a JWK pins itself to, if it says. */
  alg: string | undefined;
  key: KeyObject;
}

export class KeyRing {
  private constructor(
    private readonly entries: readonly RingEntry[],
    /** True when at least one key names a `kid`: then a token's `kid` must match one exactly. */
    readonly hasKids: boolean,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  get hasSecret(): boolean {
    return this.entries.some((e) => e.key.type === 'secret');
  }

  hasKid(kid: string): boolean {
    return this.entries.some((e) => e.kid === kid);
  }

  /**
   * Keys that may verify a token with this header. With a `kid`, only keys carrying that `kid` (when the
   * ring uses kids at all); always only keys whose type fits `alg`.
   */
  candidates(alg: JwsAlgorithm, kid: string | undefined): KeyObject[] {
    const out: KeyObject[] = [];
    for (const e of this.entries) {
      if (this.hasKids && kid !== undefined && e.kid !== kid) continue;
      if (e.alg !== undefined && e.alg !== alg) continue;
      if (keyFitsAlgorithm(e.key, alg)) out.push(e.key);
    }
    return out;
  }

  /**
   * Keys from configuration. Throws a message naming the key's position, never its material, when a key
   * does not import (the message becomes a config problem the operator sees).
   */
  static fromStatic(keys: readonly StaticKeyConfig[], where: string): KeyRing {
    const entries = keys.map((k, i): RingEntry => {
      try {
        return { kid: k.kid, alg: jwkAlg(k.jwk), key: importStatic(k) };
      } catch {
        throw new Error(`${where}/keys/${i}: not a usable key (expected a public PEM, a JWK or a secret)`);
      }
    });
    return new KeyRing(
      entries,
      entries.some((e) => e.kid !== undefined),
    );
  }

  /**
   * Keys from a fetched JWKS (RFC 7517 §5). Symmetric keys are dropped: a secret published over the
   * network is no secret, and accepting one would let anyone mint HS tokens. Keys marked for another use
   * or that fail to import are skipped rather than failing the whole set (one odd key must not take the
   * issuer down).
   */
  static fromJwks(jwks: unknown): KeyRing {
    const list = isRecord(jwks) && Array.isArray(jwks.keys) ? (jwks.keys as unknown[]) : undefined;
    if (list === undefined) throw new Error('not a JSON Web Key Set');
    const entries: RingEntry[] = [];
    for (const jwk of list.slice(0, 100)) {
      if (!isRecord(jwk) || jwk.kty === 'oct') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) continue;
      try {
        const key = createPublicKey({ key: publicPart(jwk) as JsonWebKey, format: 'jwk' });
        entries.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, alg: jwkAlg(jwk), key });
      } catch {
        // skipped: see above
      }
    }
    return new KeyRing(entries, true);
  }
}

function importStatic(k: StaticKeyConfig): KeyObject {
  if (k.secret !== undefined) {
    const bytes =
      k.secret_encoding === 'base64url' ? Buffer.from(k.secret, 'base64url') : Buffer.from(k.secret, 'utf8');
    return createSecretKey(bytes);
  }
  if (k.pem !== undefined) return createPublicKey(k.pem);
  if (k.jwk !== undefined) {
    if (k.jwk.kty === 'oct') {
      const secret = typeof k.jwk.k === 'string' ? Buffer.from(k.jwk.k, 'base64url') : Buffer.alloc(0);
      return createSecretKey(secret);
    }
    return createPublicKey({ key: publicPart(k.jwk) as JsonWebKey, format: 'jwk' });
  }
  throw new Error('no key material');
}

/** Drops private members so a private JWK pasted by mistake is only ever used as a public key. */
function publicPart(jwk: Record<string, unknown>): Record<string, unknown> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk;
  return pub;
}

function jwkAlg(jwk: Record<string, unknown> | undefined): string | undefined {
  return typeof jwk?.alg === 'string' ? jwk.alg : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
