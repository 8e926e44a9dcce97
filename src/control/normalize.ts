/**
 * Flattens a declarative document into resources, checking everything that needs no store: the shape of
 * the document, each resource's schema, plugin configs, duplicate keys and references inside the file.
 * Every problem is collected with a JSON pointer into the document as written (nested form included),
 * so the CLI can point at the YAML line.
 */
import type { ErrorDetail } from '../core/errors.js';
import { validate } from '../core/validator.js';
import {
  DEFAULT_WORKSPACE,
  DOCUMENT_KINDS,
  KINDS,
  RESOURCE_KINDS,
  pluginKey,
  type ResourceKind,
  type ResourceTypes,
} from '../model/index.js';
import { nameSchema, tagsSchema } from '../model/common.js';
import { importKeyBody, type ImportKeyInput } from '../keys/key-schemas.js';
import { withoutSealedMarkers } from './provider-keys.js';
import { isObject, keyPath, parseResource } from './resource-input.js';

export interface DesiredItem<K extends ResourceKind = ResourceKind> {
  kind: K;
  key: string;
  resource: ResourceTypes[K];
  /** Where the resource sits in the document. */
  path: string;
}

/** A key listed under an app: imported by `apply` if the store does not have it (never deleted by it). */
export interface DesiredKey {
  app: string;
  input: ImportKeyInput;
  path: string;
}

export interface DesiredState {
  workspace: string;
  description: string | undefined;
  /** `_info.select_tags`: the document manages only resources carrying all of them (decK's select tags). */
  selectTags: string[];
  items: DesiredItem[];
  keys: DesiredKey[];
  details: ErrorDetail[];
}

/** The document's top level (docs/declarative-config.md lists every field; a test checks). */
export const documentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['_format_version'],
  properties: {
    _format_version: { const: '1' },
    _info: {
      type: 'object',
      additionalProperties: false,
      properties: { select_tags: { ...tagsSchema, minItems: 1 } },
    },
    workspace: nameSchema,
    description: { type: 'string', maxLength: 1024 },
    // Every kind is a list; its entries are checked one by one (all problems at once, nesting included).
    ...Object.fromEntries(DOCUMENT_KINDS.map((kind) => [kind, { type: 'array' }])),
  },
} as const;

const SCOPE_FIELDS = ['service', 'route', 'consumer'] as const;
type Scope = Partial<Record<(typeof SCOPE_FIELDS)[number], string>>;

export function normalizeDocument(doc: unknown): DesiredState {
  const details = validate(documentSchema, doc);
  const root = isObject(doc) ? doc : {};
  const workspace = typeof root['workspace'] === 'string' ? root['workspace'] : DEFAULT_WORKSPACE;
  const description = typeof root['description'] === 'string' ? root['description'] : undefined;
  const info = isObject(root['_info']) ? root['_info'] : {};
  const selectTags = Array.isArray(info['select_tags'])
    ? info['select_tags'].filter((t): t is string => typeof t === 'string')
    : [];
  const items: DesiredItem[] = [];
  const firstSeen = new Map<string, string>();
  /** Per item, reference fields taken from the enclosing resource: not the document's to answer for. */
  const inherited = new Map<DesiredItem, Set<string>>();

  const add = <K extends ResourceKind>(
    kind: K,
    value: unknown,
    path: string,
    from: Scope = {},
  ): string | undefined => {
    const body = isObject(value) ? { ...value, ...definedOnly(from) } : value;
    const parsed = parseResource(kind, body, path);
    // A parent that failed its own checks leaves no usable name for its children: report only the parent.
    const skip = new Set(Object.keys(from).map((f) => `${path}/${f}`));
    details.push(...parsed.details.filter((d) => !skip.has(d.path)));
    // Duplicates are looked for even in resources that failed their schema: all problems at once.
    const key = parsed.resource !== undefined ? KINDS[kind].key(parsed.resource) : rawKey(kind, body);
    if (key === undefined) return undefined;
    const id = `${kind}|${key}`;
    const first = firstSeen.get(id);
    if (first !== undefined) {
      details.push({
        path: path + keyPath(kind),
        message: `duplicate ${KINDS[kind].singular} "${key}" (first defined at ${first})`,
      });
      return key;
    }
    firstSeen.set(id, path);
    if (parsed.resource === undefined) return key;
    const item: DesiredItem = { kind, key, resource: parsed.resource, path };
    inherited.set(item, new Set(Object.keys(from)));
    items.push(item);
    return key;
  };

  const nested = (value: unknown, path: string, field: string): unknown[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      details.push({ path: `${path}/${field}`, message: 'must be array' });
      return [];
    }
    return value;
  };

  const addPlugins = (list: unknown, path: string, scope: Scope): void => {
    nested(list, path, 'plugins').forEach((p, i) => {
      const ppath = `${path}/plugins/${i}`;
      if (isObject(p)) {
        for (const f of SCOPE_FIELDS) {
          if (f in p)
            details.push({
              path: `${ppath}/${f}`,
              message: 'is not a known field (a nested plugin takes its scope from its parent)',
            });
        }
      }
      add('plugins', p, ppath, scope);
    });
  };

  const addService = (s: unknown, path: string): void => {
    const { routes, plugins, ...service } = isObject(s) ? s : { routes: undefined, plugins: undefined };
    const name = add('services', isObject(s) ? service : s, path);
    nested(routes, path, 'routes').forEach((r, j) => {
      const rpath = `${path}/routes/${j}`;
      const { plugins: rplugins, ...route } = isObject(r) ? r : { plugins: undefined };
      if (isObject(route) && route['service'] !== undefined && route['service'] !== name) {
        details.push({
          path: `${rpath}/service`,
          message: `must be "${name ?? ''}", the enclosing service, or be left out`,
        });
      }
      const routeName = add('routes', isObject(r) ? route : r, rpath, { service: name });
      addPlugins(rplugins, rpath, { route: routeName });
    });
    addPlugins(plugins, path, { service: name });
  };

  const appKeyList: DesiredKey[] = [];
  const addApp = (a: unknown, path: string, consumer?: string): void => {
    const { keys: appKeys, ...app } = isObject(a) ? a : { keys: undefined };
    if (
      consumer !== undefined &&
      isObject(app) &&
      app['consumer'] !== undefined &&
      app['consumer'] !== consumer
    ) {
      details.push({
        path: `${path}/consumer`,
        message: `must be "${consumer}", the enclosing consumer, or be left out`,
      });
    }
    const name = add('apps', isObject(a) ? app : a, path, consumer === undefined ? {} : { consumer });
    nested(appKeys, path, 'keys').forEach((k, j) => {
      const kpath = `${path}/keys/${j}`;
      const copy: unknown = isObject(k) ? structuredClone(k) : k;
      const problems = validate(importKeyBody, copy, kpath);
      details.push(...problems);
      if (problems.length === 0 && name !== undefined)
        appKeyList.push({ app: name, input: copy as ImportKeyInput, path: kpath });
    });
  };

  const addConsumer = (c: unknown, path: string): void => {
    const { plugins, apps, ...consumer } = isObject(c) ? c : { plugins: undefined, apps: undefined };
    const username = add('consumers', isObject(c) ? consumer : c, path);
    addPlugins(plugins, path, { consumer: username });
    nested(apps, path, 'apps').forEach((a, j) => addApp(a, `${path}/apps/${j}`, username));
  };

  /** Kinds whose entries hold what belongs to them, or take more than their schema's check. */
  const special: Partial<Record<ResourceKind, (value: unknown, path: string) => void>> = {
    services: addService,
    consumers: addConsumer,
    apps: (a, path) => addApp(a, path),
    // AI resources refer to each other by alias or `provider/model`: the catalog checks those references
    // when the would-be configuration is checked (declarative.ts), with paths into this document.
    ai_providers: (p, path) => add('ai_providers', withoutSealedMarkers(p), path),
  };
  for (const kind of DOCUMENT_KINDS) {
    const each = special[kind] ?? ((value: unknown, path: string) => add(kind, value, path));
    list(root, kind).forEach((value, i) => each(value, `/${kind}/${i}`));
  }

  // References resolve inside the document: it is the whole desired state of the workspace. With select
  // tags it is only a part, and references are checked against the workspace it applies to (declarative.ts).
  const keys = new Map<ResourceKind, Set<string>>(RESOURCE_KINDS.map((k) => [k, new Set<string>()]));
  for (const item of items) keys.get(item.kind)?.add(item.key);
  for (const item of selectTags.length > 0 ? [] : items) {
    const fields = item.resource as unknown as Record<string, unknown>;
    for (const ref of KINDS[item.kind].references) {
      const value = fields[ref.field];
      if (typeof value !== 'string' || inherited.get(item)?.has(ref.field) === true) continue;
      if (keys.get(ref.kind)?.has(value) !== true) {
        details.push({
          path: `${item.path}/${ref.field}`,
          message: `${KINDS[ref.kind].singular} "${value}" is not defined in this document`,
        });
      }
    }
  }

  // The same key twice in one file would be imported for two apps: say where it was first.
  const seenKeys = new Map<string, string>();
  for (const k of appKeyList) {
    const first = seenKeys.get(k.input.key);
    if (first !== undefined)
      details.push({ path: `${k.path}/key`, message: `duplicate key (first at ${first})` });
    else seenKeys.set(k.input.key, k.path);
  }

  return { workspace, description, selectTags, items, keys: appKeyList, details };
}

/** The key of a resource that failed validation, when its key fields are at least strings. */
function rawKey(kind: ResourceKind, body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const str = (f: string): string | undefined => (typeof body[f] === 'string' ? body[f] : undefined);
  if (kind === 'consumers') return str('username');
  const name = str('name');
  if (name === undefined) return undefined;
  if (kind !== 'plugins') return name;
  return pluginKey({ name, service: str('service'), route: str('route'), consumer: str('consumer') });
}

function list(root: Record<string, unknown>, field: string): unknown[] {
  const value = root[field];
  return Array.isArray(value) ? value : [];
}

function definedOnly(scope: Scope): Scope {
  const out: Scope = {};
  for (const f of SCOPE_FIELDS) {
    const v = scope[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}
