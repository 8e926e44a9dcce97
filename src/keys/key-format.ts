/**
 * The API key format: `kw_<env>_<secret>_<checksum>`.
 *
 * - `env` is `live` or `test`, so a leaked test key is recognisably harmless and a scanner can tell them apart;
 * - `secret` is 43 base62 characters drawn uniformly (62^43 ≈ 2^256): at least 256 bits of randomness;
 * - `checksum` is the CRC32 of everything before it, as 6 base62 characters (62^6 > 2^32).
 *
 * The checksum is GitHub's token-format idea: a mistyped or truncated key, or random garbage, is refused
 * without hashing or a store lookup, and a secret scanner can match the format with almost no false
 * positives. It is not a MAC: anyone can compute it, it only filters typos and noise.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const KEY_ENVS = ['live', 'test'] as const;
export type KeyEnv = (typeof KEY_ENVS)[number];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SECRET_CHARS = 43;
export const CHECKSUM_CHARS = 6;
/** Characters of the secret shown in `visible_id`: enough to tell keys apart in a list, 24 bits of 256. */
const VISIBLE_CHARS = 4;
const KEY_PATTERN = /^kw_(live|test)_([0-9A-Za-z]{43})_([0-9A-Za-z]{6})$/;
/** Longest credential Keyway looks at; anything longer is refused before hashing. */
export const MAX_KEY_LENGTH = 512;

/** A new random key of `env`. */
export function generateKey(env: KeyEnv): string {
  let secret = '';
  while (secret.length < SECRET_CHARS) {
    // Rejection sampling: bytes ≥ 248 (= 4 × 62) are dropped so every character is equally likely.
    for (const b of randomBytes(64)) {
      if (b < 248 && secret.length < SECRET_CHARS) secret += ALPHABET[b % 62];
    }
  }
  const body = `kw_${env}_${secret}`;
  return `${body}_${checksumOf(body)}`;
}

export function checksumOf(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_CHARS; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** True when `key` looks like a Keyway key at all (prefix), whatever its checksum. */
export function isKeywayFormat(key: string): boolean {
  return key.startsWith('kw_');
}

/** The env of a well-formed key with a correct checksum, or undefined: no lookup is worth doing. */
export function checkKey(key: string): KeyEnv | undefined {
  if (key.length !== 3 + 5 + SECRET_CHARS + 1 + CHECKSUM_CHARS) return undefined;
  const m = KEY_PATTERN.exec(key);
  if (m === null) return undefined;
  const body = key.slice(0, key.length - CHECKSUM_CHARS - 1);
  return checksumOf(body) === m[3] ? (m[1] as KeyEnv) : undefined;
}

/**
 * What lists show to tell keys apart: `kw_live_AbC1…` for Keyway keys. An imported key of another
 * format shows its first four characters only when it is long enough to spare them, else nothing.
 */
export function visibleIdOf(key: string): string {
  const m = KEY_PATTERN.exec(key);
  if (m !== null) return `kw_${m[1]}_${(m[2] ?? '').slice(0, VISIBLE_CHARS)}…`;
  return key.length >= 32 ? `${key.slice(0, VISIBLE_CHARS)}…` : '…';
}
