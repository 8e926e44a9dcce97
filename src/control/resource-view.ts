/**
 * What leaves the control layer. Stored resources are returned as they are, except AI providers, whose
 * keys are write-only: a key is shown as `{id, secret_env?, enabled?, sealed?}` — never `secret`, never
 * `secret_enc` — in admin API answers, in audit rows and in apply results. Only `export` writes
 * `secret_enc`, so an exported file applies back (docs/ai-secrets.md).
 */
import type { AiProviderKey, ResourceKind, Stored } from '../model/index.js';
import type { ProviderKeyView, ResourceView } from './types.js';

/** A stored resource as the admin API answers it. */
export function presentResource<K extends ResourceKind>(kind: K, stored: Stored<K>): ResourceView<K> {
  // For every kind but ai_providers the view is the stored resource itself (ResourceView's definition).
  const view = kind === 'ai_providers' ? redactKeys(stored as Stored<'ai_providers'>) : stored;
  return view as unknown as ResourceView<K>;
}

/**
 * A resource's fields (stored or about to be) as an audit row or an apply result may carry them. Takes
 * `unknown` because it also sees values typed loosely (`Change.before`); anything not an AI provider
 * object passes through.
 */
export function redactFields(kind: string, fields: unknown): unknown {
  if (kind !== 'ai_providers' || typeof fields !== 'object' || fields === null) return fields;
  return redactKeys(fields as { keys?: AiProviderKey[] });
}

function redactKeys<T extends { keys?: AiProviderKey[] }>(
  provider: T,
): Omit<T, 'keys'> & { keys?: ProviderKeyView[] } {
  if (!Array.isArray(provider.keys)) return provider;
  return { ...provider, keys: provider.keys.map(keyView) };
}

export function keyView(key: AiProviderKey): ProviderKeyView {
  const view: ProviderKeyView = { id: key.id };
  if (key.secret_env !== undefined) view.secret_env = key.secret_env;
  // A key stored in clear (never by this layer) is still a secret: it is shown as sealed, not leaked.
  if (key.secret_enc !== undefined || key.secret !== undefined) view.sealed = true;
  if (key.enabled !== undefined) view.enabled = key.enabled;
  return view;
}
