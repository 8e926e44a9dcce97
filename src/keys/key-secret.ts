/**
 * The server secret API keys are hashed under (HMAC-SHA-256), and the check that every node uses the same.
 *
 * Where it comes from, first match wins:
 * 1. `KEYWAY_SECRET` (at least 32 characters): required in practice for PostgreSQL clusters that want the
 *    secret kept out of the database;
 * 2. SQLite: `<data dir>/secret`, 32 random bytes made on first start, created with mode 0600;
 * 3. PostgreSQL without `KEYWAY_SECRET`: a random secret stored once in the database (`keyway_settings`),
 *    so every node sharing it agrees. A warning says that hashes and secret then sit in the same database —
 *    harmless for Keyway's 256-bit keys (nobody brute-forces 2^256), weaker for low-entropy imported keys.
 *
 * Whatever the source, the store keeps an HMAC of a fixed label under the secret (never the secret): a
 * node started with a different secret than the one that hashed the stored keys refuses to start instead
 * of silently answering 401 to every key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeywayError } from '../core/errors.js';

export interface SecretStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Stores `value` under `name` unless something is there already; returns what is stored. */
  ensureSetting(name: string, value: string): Promise<string>;
}

export interface KeySecret {
  secret: Buffer;
  origin: 'env' | 'file' | 'store';
}

const MIN_ENV_SECRET = 32;
const CHECK_LABEL = 'keyway:api-key-secret-check:v1';

export async function loadKeySecret(opts: {
  envSecret: string | undefined;
  dataDir: string;
  store: SecretStore;
}): Promise<KeySecret> {
  let found: KeySecret;
  if (opts.envSecret !== undefined && opts.envSecret !== '') {
    if (opts.envSecret.length < MIN_ENV_SECRET) {
      throw new KeywayError('KW_ERR_NODE_CONFIG', {
        field: 'KEYWAY_SECRET',
        reason: `must be at least ${MIN_ENV_SECRET} characters`,
      });
    }
    found = { secret: Buffer.from(opts.envSecret, 'utf8'), origin: 'env' };
  } else if (opts.store.dialect === 'sqlite') {
    found = { secret: await fileSecret(join(opts.dataDir, 'secret')), origin: 'file' };
  } else {
    const value = await opts.store.ensureSetting('api_key_secret', randomBytes(32).toString('base64url'));
    found = { secret: Buffer.from(value, 'base64url'), origin: 'store' };
  }
  const check = createHmac('sha256', found.secret).update(CHECK_LABEL).digest('hex');
  const stored = await opts.store.ensureSetting('api_key_secret_check', check);
  if (stored !== check) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_SECRET',
      reason:
        'differs from the secret that hashed the API keys in this store (every node must use the same; ' +
        'see docs/keys.md)',
    });
  }
  return found;
}

async function fileSecret(file: string): Promise<Buffer> {
  try {
    // 'wx': created only if absent, with mode 0600 from the start (no window where it is world-readable).
    const handle = await open(file, 'wx', 0o600);
    const secret = randomBytes(32);
    try {
      await handle.writeFile(`${secret.toString('base64url')}\n`, 'utf8');
    } finally {
      await handle.close();
    }
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw secretFileError(file, err);
  }
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw secretFileError(file, err);
  }
  const secret = Buffer.from(text, 'base64url');
  if (secret.length < 32) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'secret',
      reason: `${file} holds fewer than 32 bytes (base64url)`,
    });
  }
  return secret;
}

function secretFileError(file: string, err: unknown): KeywayError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new KeywayError('KW_ERR_NODE_CONFIG', { field: 'secret', reason: `cannot use ${file}: ${code}` });
}

/** HMAC-SHA-256 of a presented key under the server secret, hex: what the store indexes. */
export class KeyHasher {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  hash(key: string): string {
    return createHmac('sha256', this.#secret).update(key, 'utf8').digest('hex');
  }
}
