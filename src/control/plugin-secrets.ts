/**
 * Plugin secrets at rest (docs/plugins.md#secrets). Every write of a plugin — admin POST/PUT/PATCH and
 * `apply` — passes its config through `sealPluginSecrets` before the store sees it, so the store holds,
 * at each place the plugin's schema marks `x-keyway-secret`, only `{"secret_enc"}` (AES-256-GCM under
 * the server secret, bound to the plugin and the field) or `{"secret_env"}` (a variable name).
 *
 * Secrets are write-only, so an update must be able to say "keep what you have" without them:
 * - `{"sealed": true, "id"}` (what a GET shows) keeps the stored secret with that id, wherever it now
 *   sits in its list (a key removed before it does not shift it onto another key's secret);
 * - `{"sealed": true}` without id keeps the secret stored at the same place;
 * - a required secret outside lists left out (`client_secret` in a PUT) keeps the stored one;
 * - the same secret in clear, or the stored ciphertext itself (an export applied back), keeps the stored
 *   ciphertext, so re-applying a file changes nothing.
 */
import type { ErrorDetail } from '../core/errors.js';
import { isSecretText, sealedId, secretValue, setAt, type SecretPlace } from '../core/secret-fields.js';
import type { SecretBox } from '../keys/secret-box.js';
import { pluginKey, type ResourceTypes } from '../model/index.js';
import { pluginSecretLabel, pluginSecretPlaces } from '../plugins/registry.js';
import type { Store } from '../store/types.js';
import { userFields } from './resource-input.js';
import { redactFields } from './resource-view.js';
import { NO_BOX, sealClear, takeCiphertext } from './secret-values.js';

type Plugin = ResourceTypes['plugins'];

export interface SealedPlugin {
  /** The plugin as it may be stored, or undefined when `details` says why not. */
  resource: Plugin | undefined;
  details: ErrorDetail[];
}

/**
 * The plugin `input` as it will be stored, given what is `stored` under its key now (undefined on
 * create). `basePath` prefixes detail paths (`/plugins/0` in a document, empty for an admin body).
 */
export function sealPluginSecrets(
  input: Plugin,
  stored: Plugin | undefined,
  box: SecretBox | undefined,
  basePath = '',
): SealedPlugin {
  if (input.config === undefined) return { resource: input, details: [] };
  const config = structuredClone(input.config);
  const places = pluginSecretPlaces(input.name, config);
  if (places.length === 0) return { resource: input, details: [] };
  // A stored config of another plugin (a PUT that changes `name`) has nothing to keep.
  const before = stored?.name === input.name ? pluginSecretPlaces(input.name, stored.config ?? {}) : [];
  const previous = new Map(before.map((p) => [p.pointer, p.value]));
  const details: ErrorDetail[] = [];
  for (const place of places) {
    const label = pluginSecretLabel(input.name, place);
    const storedHere = before.filter((p) => p.label === place.label);
    const out = sealOne(place, previous.get(place.pointer), storedHere, box, label);
    if ('error' in out) details.push({ path: `${basePath}/config${place.pointer}`, message: out.error });
    else if (out.value !== undefined) setAt(place, out.value);
  }
  if (details.length > 0) return { resource: undefined, details };
  return { resource: { ...input, config }, details };
}

type Outcome = { value: unknown } | { error: string };

function sealOne(
  place: SecretPlace,
  prev: unknown,
  storedHere: SecretPlace[],
  box: SecretBox | undefined,
  label: string,
): Outcome {
  const prevEnc = encOf(prev);
  if (place.value === undefined) {
    // Only required secrets outside lists are walked when absent: left out means "keep".
    if (prev === undefined) return { error: 'is required (nothing is stored here to keep)' };
    return keep(place, prev, box, label);
  }
  const v = secretValue(place.value);
  switch (v.kind) {
    case 'clear': {
      if (!isSecretText(place.mark, v.text)) return { value: v.text };
      const sealed = sealClear(v.text, prevEnc, box, label);
      return sealed.error === undefined ? { value: { secret_enc: sealed.enc } } : { error: sealed.error };
    }
    case 'enc': {
      const encs = new Set(storedHere.map((p) => encOf(p.value)).filter((e) => e !== undefined));
      const taken = takeCiphertext(v.enc, encs, prevEnc, box, label);
      return taken.error === undefined ? { value: { secret_enc: taken.enc } } : { error: taken.error };
    }
    case 'env':
      return { value: { secret_env: v.name } };
    case 'keep': {
      if (v.id === undefined) {
        if (prev === undefined) return { error: 'nothing is stored here to keep: give the secret' };
        return keep(place, prev, box, label);
      }
      const found = storedHere.find((p) => {
        const enc = encOf(p.value);
        return enc !== undefined && sealedId(enc) === v.id;
      });
      if (found === undefined)
        return {
          error: `no stored secret has id "${v.id}" (changed or removed since it was read): give the secret`,
        };
      return { value: found.value };
    }
    case 'invalid':
      return { error: v.message };
  }
}

/** A stored value carried over: sealed or a variable reference as is; one stored in clear gets sealed. */
function keep(place: SecretPlace, prev: unknown, box: SecretBox | undefined, label: string): Outcome {
  if (typeof prev !== 'string' || !isSecretText(place.mark, prev)) return { value: prev };
  if (box === undefined) return { error: NO_BOX };
  return { value: { secret_enc: box.seal(prev, label) } };
}

function encOf(value: unknown): string | undefined {
  const v = secretValue(value);
  return v.kind === 'enc' ? v.enc : undefined;
}

/**
 * A stored plugin's config as `keyway export` writes it: secrets stay sealed (`secret_enc`) or by
 * reference (`secret_env`). One stored in clear by an older release (never by this layer) is written as
 * `{"sealed": true}` — "keep the stored one" — rather than leaked.
 */
export function exportablePluginConfig(
  name: string,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const place of pluginSecretPlaces(name, copy)) {
    if (typeof place.value === 'string' && isSecretText(place.mark, place.value))
      setAt(place, { sealed: true });
  }
  return copy;
}

/** Whether a stored plugin config holds a secret in clear (written by a release before sealing). */
export function hasClearSecrets(plugin: Plugin): boolean {
  return pluginSecretPlaces(plugin.name, plugin.config ?? {}).some(
    (p) => typeof p.value === 'string' && isSecretText(p.mark, p.value),
  );
}

/**
 * Seals, in place, every plugin secret an older release stored in clear: run once per node start, in
 * one write transaction, with one audit row (actor `system`) per plugin changed. Idempotent, so nodes
 * starting together on one PostgreSQL store are harmless to each other. Returns how many plugins changed.
 */
export async function sealStoredPluginSecrets(store: Store, box: SecretBox): Promise<number> {
  // Read first: almost every start finds nothing to seal, and then takes no write lock.
  const found = await store.read(async (tx) =>
    (await tx.loadAll()).workspaces.some((ws) => ws.plugins.some(hasClearSecrets)),
  );
  if (!found) return 0;
  const { result } = await store.write(async (tx) => {
    let changed = 0;
    for (const ws of (await tx.loadAll()).workspaces) {
      for (const stored of ws.plugins) {
        if (!hasClearSecrets(stored)) continue;
        const fields = userFields(stored);
        const out = sealPluginSecrets(fields, fields, box);
        if (out.resource === undefined) continue;
        await tx.update('plugins', ws.name, stored.id, out.resource);
        await tx.audit({
          actor: 'system',
          action: 'update',
          workspace: ws.name,
          kind: 'plugins',
          key: pluginKey(stored),
          before: redactFields('plugins', fields),
          after: redactFields('plugins', out.resource),
        });
        changed++;
      }
    }
    return changed;
  });
  return result;
}
