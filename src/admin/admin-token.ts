/**
 * The first admin token. On a fresh data directory Keyway makes one, keeps only its SHA-256 hash in the
 * store, and hands the token to the operator through a file only they can read. The token itself is never
 * logged: the node prints the file's path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/types.js';

export const ADMIN_TOKEN_PREFIX = 'kwadm_';
export const ADMIN_TOKEN_FILE = 'admin-token';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^43 > 2^256, so 43 digits hold any 32-byte value: fixed-length tokens. */
const DIGITS = 43;

export function base62(bytes: Uint8Array): string {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  for (let i = 0; i < DIGITS; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

/** 256 random bits, readable prefix so secret scanners and people can tell what leaked. */
export function generateAdminToken(): string {
  return ADMIN_TOKEN_PREFIX + base62(randomBytes(32));
}

export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates the file with mode 0600 from the first byte: a chmod afterwards leaves a window. */
async function writePrivate(file: string, content: string): Promise<void> {
  // A stale file (from an earlier store) may have looser permissions; `wx` refuses to reuse it.
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(content + '\n', 'utf8');
  } finally {
    await handle.close();
  }
}

export async function ensureAdminToken(
  store: Store,
  dataDir: string,
): Promise<{ file: string; created: boolean; token?: string }> {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (await store.hasAdminTokens()) {
    // Tokens exist: the file (if still there) holds one of them, or the operator removed it on purpose.
    // Either way nothing to do; we cannot and must not recover a token from its hash.
    return { file, created: false };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = generateAdminToken();
  await writePrivate(file, token);
  await store.addAdminToken('admin', hashAdminToken(token));
  return { file, created: true, token };
}
