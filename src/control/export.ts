/**
 * A stored workspace as a declarative document, in the nested form people write by hand: routes under
 * their service, plugins under the one resource they are scoped to. No ids or timestamps; fields in
 * schema order, so two exports of the same state are byte-identical. AI provider keys and plugin
 * secrets are written as stored — `secret_enc` or `secret_env`, never in clear — so the export applies
 * back unchanged on any node sharing this server secret (docs/ai-secrets.md, docs/plugins.md#secrets).
 */
import {
  DOCUMENT_KINDS,
  KINDS,
  type KindLists,
  type ResourceKind,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import { exportablePluginConfig } from './plugin-secrets.js';
import { fieldsOf, userFields } from './resource-input.js';
import type { DeclarativeDoc } from './types.js';

type Entry = Record<string, unknown>;

export function toDocument(state: WorkspaceState): DeclarativeDoc {
  const services = new Map<string, Entry>();
  for (const s of state.services) services.set(s.name, ordered('services', s));
  const routes = new Map<string, Entry>();
  const topRoutes: Entry[] = [];
  for (const r of state.routes) {
    const entry = ordered('routes', r, ['service']);
    routes.set(r.name, entry);
    const parent = services.get(r.service);
    if (parent === undefined) topRoutes.push(ordered('routes', r));
    else pushTo(parent, 'routes', entry);
  }
  const consumers = new Map<string, Entry>();
  for (const c of state.consumers) consumers.set(c.username, ordered('consumers', c));
  // Apps sit under their consumer. Their keys are secrets and are never exported: apply leaves keys
  // that a file does not list alone, so an exported file applies back without touching them.
  const topApps: Entry[] = [];
  for (const a of state.apps) {
    const parent = consumers.get(a.consumer);
    if (parent === undefined) topApps.push(ordered('apps', a));
    else pushTo(parent, 'apps', ordered('apps', a, ['consumer']));
  }

  const topPlugins: Entry[] = [];
  for (const stored of state.plugins) {
    // Plugin secrets as stored: sealed (`secret_enc`) or by reference (`secret_env`), never in clear.
    const p =
      stored.config === undefined
        ? stored
        : { ...stored, config: exportablePluginConfig(stored.name, stored.config) };
    const scopes = (['service', 'route', 'consumer'] as const).filter((f) => p[f] !== undefined);
    const only = scopes.length === 1 ? scopes[0] : undefined;
    const parent =
      only === 'service'
        ? services.get(p.service ?? '')
        : only === 'route'
          ? routes.get(p.route ?? '')
          : only === 'consumer'
            ? consumers.get(p.consumer ?? '')
            : undefined;
    // A plugin scoped to two things (service + consumer) has no single parent: it stays top-level.
    if (parent === undefined || only === undefined) topPlugins.push(ordered('plugins', p));
    else pushTo(parent, 'plugins', ordered('plugins', p, [only]));
  }

  /** The kinds written other than as a plain list: nested, or not every field as stored. */
  const top: Partial<Record<ResourceKind, Entry[]>> = {
    services: [...services.values()],
    routes: topRoutes,
    consumers: [...consumers.values()],
    apps: topApps,
    plugins: topPlugins,
    ai_providers: state.ai_providers.map((p) => withoutClearKeys(ordered('ai_providers', p))),
  };
  const doc: Entry = { _format_version: '1', workspace: state.name };
  if (state.description !== undefined) doc['description'] = state.description;
  for (const kind of DOCUMENT_KINDS) {
    const list = top[kind] ?? plain(state, kind);
    if (list.length > 0) doc[kind] = list;
  }
  // Built from stored resources that passed the same schemas the document type mirrors.
  return doc as unknown as DeclarativeDoc;
}

function plain<K extends ResourceKind>(state: WorkspaceState, kind: K): Entry[] {
  const lists: KindLists = state;
  return lists[kind].map((r) => ordered(kind, r));
}

/** The user's fields in the order the kind's schema lists them; `omit` drops fields the nesting implies. */
function ordered<K extends ResourceKind>(kind: K, stored: Stored<K>, omit: string[] = []): Entry {
  const fields = fieldsOf(userFields(stored));
  const props = Object.keys(
    (KINDS[kind].schema as { properties?: Record<string, unknown> }).properties ?? {},
  );
  const names = [
    ...props,
    ...Object.keys(fields)
      .filter((f) => !props.includes(f))
      .sort(),
  ];
  const out: Entry = {};
  for (const name of names) {
    if (!omit.includes(name) && fields[name] !== undefined) out[name] = fields[name];
  }
  return out;
}

/**
 * The control layer never stores a key in clear; should one be there anyway (written around it), it is
 * left out rather than exported: the key then applies back as "keep the stored secret".
 */
function withoutClearKeys(provider: Entry): Entry {
  const keys = provider['keys'];
  if (!Array.isArray(keys)) return provider;
  return {
    ...provider,
    keys: keys.map((k: Record<string, unknown>) => {
      const { secret: _secret, ...rest } = k;
      return rest;
    }),
  };
}

function pushTo(parent: Entry, field: 'routes' | 'plugins' | 'apps', entry: Entry): void {
  const list = parent[field];
  if (Array.isArray(list)) list.push(entry);
  else parent[field] = [entry];
}
