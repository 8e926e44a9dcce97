/**
 * Secrets at rest (LLM provider keys): AES-256-GCM under a key derived with HKDF-SHA-256 from the server
 * secret (src/keys/key-secret.ts: `KEYWAY_SECRET`, `<data dir>/secret`, or the store's), so every node that
 * can hash API keys can also open provider keys, and nothing else can. Sealed form:
 * `kwenc1.<iv>.<ciphertext>.<tag>` (base64url), a fresh 96-bit IV per seal. The label binds each
 * ciphertext to its purpose: a sealed provider key cannot be replayed as some other secret.
 *
 * The box also holds the node's environment, where `secret_env` references (provider keys, plugin
 * secrets) are read: the secrets a node has are the ones it can open and the variables it was given.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'kwenc1.';
const INFO = 'keyway:secret-box:v1';

export class SecretBox {
  readonly #key: Buffer;
  readonly #env: Readonly<Record<string, string | undefined>>;

  /** `env`: the node's environment (server/settings.ts); without it, no `secret_env` variable is set. */
  constructor(serverSecret: Buffer, env: Readonly<Record<string, string | undefined>> = {}) {
    this.#key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), INFO, 32));
    this.#env = env;
  }

  /** The value of a `secret_env` variable, or undefined when it is unset or empty. */
  variable(name: string): string | undefined {
    const value = this.#env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  seal(plaintext: string, label: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(label, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${iv.toString('base64url')}.${ct.toString('base64url')}.${tag.toString('base64url')}`;
  }

  /** The plaintext, or undefined when `sealed` is malformed, was sealed under another secret or label. */
  open(sealed: string, label: string): string | undefined {
    if (!sealed.startsWith(PREFIX)) return undefined;
    const parts = sealed.slice(PREFIX.length).split('.');
    if (parts.length !== 3) return undefined;
    const [iv, ct, tag] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    if (iv.length !== 12 || tag.length !== 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(label, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** The label provider keys are sealed under. */
export const PROVIDER_KEY_LABEL = 'ai_providers.keys';
