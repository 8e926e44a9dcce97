/**
 * Sealing one secret value for the store, shared by AI provider keys (provider-keys.ts) and plugin
 * secrets (plugin-secrets.ts): the same box, the same rules, the same messages.
 *
 * - A secret given in clear is sealed — unless the ciphertext stored in its place opens to the same
 *   secret, which is then kept: GCM IVs are random, so re-sealing would make every re-apply of an
 *   unchanged file look like a change.
 * - A ciphertext given back (`secret_enc`, as export writes it) is kept as is when it is one the store
 *   already holds in that place (nothing to check, and a secret sealed under an older server secret can
 *   still be edited around); otherwise it must open with this node's box.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../keys/secret-box.js';

export const NO_BOX = 'cannot be stored: this control plane has no secret box to seal secrets with';

export const CANNOT_OPEN =
  'cannot be opened with this node’s secret: it was sealed under another KEYWAY_SECRET, or altered ' +
  '(give the secret in clear, or apply an export made by a node sharing this secret)';

export type Sealing = { enc: string; error?: undefined } | { error: string; enc?: undefined };

/** `plaintext` sealed under `label`, or `prevEnc` when that opens to the same secret. */
export function sealClear(
  plaintext: string,
  prevEnc: string | undefined,
  box: SecretBox | undefined,
  label: string,
): Sealing {
  if (box === undefined) return { error: NO_BOX };
  const prevPlain = prevEnc === undefined ? undefined : box.open(prevEnc, label);
  if (prevEnc !== undefined && prevPlain !== undefined && sameSecret(prevPlain, plaintext))
    return { enc: prevEnc };
  return { enc: box.seal(plaintext, label) };
}

/**
 * A ciphertext given in a document: kept when `stored` (the ciphertexts the store holds in that place)
 * has it, else checked to open; `prevEnc` is kept instead when it opens to the same secret.
 */
export function takeCiphertext(
  given: string,
  stored: ReadonlySet<string>,
  prevEnc: string | undefined,
  box: SecretBox | undefined,
  label: string,
): Sealing {
  if (stored.has(given)) return { enc: given };
  if (box === undefined) return { error: NO_BOX };
  const plaintext = box.open(given, label);
  if (plaintext === undefined) return { error: CANNOT_OPEN };
  const prevPlain = prevEnc === undefined ? undefined : box.open(prevEnc, label);
  if (prevEnc !== undefined && prevPlain !== undefined && sameSecret(prevPlain, plaintext))
    return { enc: prevEnc };
  return { enc: given };
}

/**
 * Constant-time equality of two secrets. Both sides are hashed first so neither the comparison's time
 * nor an early length check says anything about the stored secret.
 */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
