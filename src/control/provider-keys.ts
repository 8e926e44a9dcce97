/**
 * Provider keys at rest (docs/ai-secrets.md). Every write of an AI provider — admin POST/PUT/PATCH and
 * `apply` — passes its key pool through `sealProviderKeys` before the store sees it, so the store only
 * ever holds `secret_enc` (AES-256-GCM under the server secret) or `secret_env` (a variable name).
 *
 * Keys are write-only, so an update must be able to say "keep what you have" without the secret:
 * - `keys` left out keeps the stored pool as it is; `keys: []` empties it;
 * - a key listed by id with no secret (`{id}`, or `{id, sealed: true}` as a GET shows it) keeps the secret
 *   stored under that id;
 * - a plaintext `secret` equal to what the stored ciphertext opens to keeps that ciphertext: GCM IVs are
 *   random, and re-sealing would make every re-apply of the same file look like a change.
 */
import type { ErrorDetail } from '../core/errors.js';
import type { AiProvider, AiProviderKey } from '../model/index.js';
import { PROVIDER_KEY_LABEL, type SecretBox } from '../keys/secret-box.js';
import { isObject } from './resource-input.js';
import { NO_BOX, sealClear, takeCiphertext } from './secret-values.js';

export { sameSecret } from './secret-values.js';

export interface SealedProvider {
  /** The provider as it may be stored, or undefined when `details` says why not. */
  resource: AiProvider | undefined;
  details: ErrorDetail[];
}

/**
 * The provider `input` as it will be stored, given what is `stored` under its name now (undefined on
 * create). `basePath` prefixes detail paths (`/ai_providers/0` in a document, empty for an admin body).
 */
export function sealProviderKeys(
  input: AiProvider,
  stored: AiProvider | undefined,
  box: SecretBox | undefined,
  basePath = '',
): SealedProvider {
  const { keys, ...rest } = input;
  if (keys === undefined) {
    const kept = stored?.keys;
    return { resource: kept === undefined ? rest : { ...rest, keys: kept }, details: [] };
  }
  const details: ErrorDetail[] = [];
  const previous = new Map((stored?.keys ?? []).map((k) => [k.id, k]));
  const firstAt = new Map<string, number>();
  const out: AiProviderKey[] = [];
  keys.forEach((key, i) => {
    const at = `${basePath}/keys/${i}`;
    const first = firstAt.get(key.id);
    if (first !== undefined) {
      details.push({
        path: `${at}/id`,
        message: `duplicate key id "${key.id}" (first at ${basePath}/keys/${first})`,
      });
      return;
    }
    firstAt.set(key.id, i);
    const sealed = sealOne(key, previous.get(key.id), box, at, details);
    if (sealed !== undefined) out.push(sealed);
  });
  if (details.length > 0) return { resource: undefined, details };
  return { resource: { ...rest, keys: out }, details };
}

/** One key in stored form: `{id, secret_enc | secret_env, enabled?}`, in schema order for stable exports. */
function sealOne(
  key: AiProviderKey,
  prev: AiProviderKey | undefined,
  box: SecretBox | undefined,
  at: string,
  details: ErrorDetail[],
): AiProviderKey | undefined {
  const given = (['secret', 'secret_enc', 'secret_env'] as const).filter((f) => key[f] !== undefined);
  if (given.length > 1) {
    details.push({
      path: at,
      message: `give one of secret, secret_enc, secret_env, not ${given.join(' and ')}`,
    });
    return undefined;
  }
  const material = given[0];
  let stored: Pick<AiProviderKey, 'secret_enc' | 'secret_env'> | undefined;
  if (material === 'secret_env') {
    stored = { secret_env: key.secret_env ?? '' };
  } else if (material === 'secret' || material === 'secret_enc') {
    stored = sealSecret(key, prev, box, material, at, details);
  } else {
    stored = kept(prev, box, at, details);
  }
  if (stored === undefined) return undefined;
  const out: AiProviderKey = { id: key.id, ...stored };
  if (key.enabled !== undefined) out.enabled = key.enabled;
  return out;
}

function sealSecret(
  key: AiProviderKey,
  prev: AiProviderKey | undefined,
  box: SecretBox | undefined,
  material: 'secret' | 'secret_enc',
  at: string,
  details: ErrorDetail[],
): Pick<AiProviderKey, 'secret_enc'> | undefined {
  const prevEnc = prev?.secret_enc;
  const out =
    material === 'secret'
      ? sealClear(key.secret ?? '', prevEnc, box, PROVIDER_KEY_LABEL)
      : takeCiphertext(
          key.secret_enc ?? '',
          new Set(prevEnc === undefined ? [] : [prevEnc]),
          prevEnc,
          box,
          PROVIDER_KEY_LABEL,
        );
  if (out.error !== undefined) {
    details.push({ path: `${at}/${material}`, message: out.error });
    return undefined;
  }
  return { secret_enc: out.enc };
}

/** A key listed without secret: the secret stored under its id, which must exist. */
function kept(
  prev: AiProviderKey | undefined,
  box: SecretBox | undefined,
  at: string,
  details: ErrorDetail[],
): Pick<AiProviderKey, 'secret_enc' | 'secret_env'> | undefined {
  if (prev?.secret_enc !== undefined) return { secret_enc: prev.secret_enc };
  if (prev?.secret_env !== undefined) return { secret_env: prev.secret_env };
  if (prev?.secret !== undefined) {
    // Stored in clear by something that bypassed this layer: seal it now rather than carry it on.
    if (box !== undefined) return { secret_enc: box.seal(prev.secret, PROVIDER_KEY_LABEL) };
    details.push({ path: at, message: NO_BOX });
    return undefined;
  }
  details.push({
    path: at,
    message: 'needs one of secret, secret_env, secret_enc (no stored key with this id to keep)',
  });
  return undefined;
}

/**
 * Drops the read-only `sealed: true` marker an admin GET puts on a sealed key, so a body fetched, edited
 * and sent back validates: the marker says "keep the stored secret", which is what a key without secret
 * means anyway. Any other value of `sealed` is left for the schema to reject.
 */
export function withoutSealedMarkers(body: unknown): unknown {
  if (!isObject(body) || !Array.isArray(body['keys'])) return body;
  const keys = body['keys'].map((k: unknown) => {
    if (!isObject(k) || k['sealed'] !== true) return k;
    const { sealed: _sealed, ...rest } = k;
    return rest;
  });
  return { ...body, keys };
}
