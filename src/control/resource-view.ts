/**
 * What leaves the control layer. Stored resources are returned as they are, except their secrets:
 * - AI provider keys are write-only: a key is shown as `{id, secret_env?, enabled?, sealed?}` — never
 *   `secret`, never `secret_enc` (docs/ai-secrets.md);
 * - a plugin's secret fields (marked in its schema) are shown as `{"sealed": true, "id"}` or
 *   `{"secret_env"}` (docs/plugins.md#secrets);
 * in admin API answers, in audit rows and in apply results. Only `export` writes `secret_enc`, so an
 * exported file applies back.
 */
import { redactSecrets } from '../core/secret-fields.js';
import type { AiProviderKey, ResourceKind, Stored } from '../model/index.js';
import { getPlugin } from '../plugins/registry.js';
import type { ProviderKeyView, ResourceView } from './types.js';

/** A stored resource as the admin API answers it. */
export function presentResource<K extends ResourceKind>(kind: K, stored: Stored<K>): ResourceView<K> {
  // For other kinds the view is the stored resource itself (ResourceView's definition).
  const view =
    kind === 'ai_providers'
      ? redactKeys(stored as Stored<'ai_providers'>)
      : kind === 'plugins'
        ? redactPlugin(stored as Stored<'plugins'>)
        : stored;
  return view as unknown as ResourceView<K>;
}

/**
 * A resource's fields (stored or about to be) as an audit row or an apply result may carry them. Takes
 * `unknown` because it also sees values typed loosely (`Change.before`); anything not an AI provider or
 * plugin object passes through.
 */
export function redactFields(kind: string, fields: unknown): unknown {
  if (typeof fields !== 'object' || fields === null) return fields;
  if (kind === 'ai_providers') return redactKeys(fields as { keys?: AiProviderKey[] });
  if (kind === 'plugins') return redactPlugin(fields as { name: string; config?: Record<string, unknown> });
  return fields;
}

function redactPlugin<T extends { name: string; config?: Record<string, unknown> }>(plugin: T): T {
  const def = getPlugin(plugin.name);
  if (plugin.config === undefined || def === undefined) return plugin;
  return { ...plugin, config: redactSecrets(def.configSchema, plugin.config) };
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
