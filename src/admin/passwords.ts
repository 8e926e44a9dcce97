/**
 * Admin passwords: scrypt (RFC 7914) through `crypto.scrypt`. The lockout after repeated failures and the
 * per-address throttle are node settings (login-throttle.ts).
 *
 * A stored hash reads `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without
 * breaking the hashes already stored. N=2^14, r=8 (16 MiB a check) is the interactive-login setting
 * scrypt's author recommends; logins are rare and a lockout caps guessing.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;
/** How long a login's session token works. */
export const SESSION_MS = 12 * 3_600_000;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) => {
      if (err === null) resolve(key);
      else reject(err);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash of a password nobody knows: an unknown user's login costs what a known one's does. */
let decoy: Promise<string> | undefined;

/** True when `password` matches `stored`; a null `stored` (no such user, no password) checks a decoy. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(32).toString('hex'));
  const parts = (stored ?? (await decoy)).split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== KEY_BYTES) return false;
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, expected) && stored !== null;
}
