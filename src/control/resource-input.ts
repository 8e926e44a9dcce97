/**
 * Turns untrusted input into a resource: schema check (ajv fills only the defaults a schema declares),
 * and for plugins the plugin's own config schema, whose defaults are stored so every node compiles the
 * same config. Paths in the answer are JSON pointers under `basePath`.
 */
import type { ErrorDetail } from '../core/errors.js';
import { KeywayError, validationError } from '../core/errors.js';
import { validate } from '../core/validator.js';
import { KINDS, type Meta, type ResourceKind, type ResourceTypes, type Stored } from '../model/index.js';
import { validatePluginInput } from '../plugins/registry.js';

export interface Parsed<K extends ResourceKind> {
  resource: ResourceTypes[K] | undefined;
  details: ErrorDetail[];
}

export function parseResource<K extends ResourceKind>(kind: K, body: unknown, basePath = ''): Parsed<K> {
  // Validation fills defaults in place: work on a copy so the caller's object stays what it sent.
  const copy: unknown = body === undefined ? undefined : structuredClone(body);
  const details = validate(KINDS[kind].schema, copy, basePath);
  if (details.length > 0 || !isObject(copy)) {
    return {
      resource: undefined,
      details: details.length > 0 ? details : [{ path: basePath, message: 'must be object' }],
    };
  }
  if (kind === 'plugins') {
    const config = isObject(copy['config']) ? copy['config'] : {};
    // Secrets may come as reference objects or be left out to keep them; plugin-secrets.ts resolves them.
    const pluginDetails = validatePluginInput(String(copy['name']), config).map((d) => ({
      ...d,
      path: basePath + d.path,
    }));
    if (pluginDetails.length > 0) return { resource: undefined, details: pluginDetails };
    copy['config'] = config;
  }
  // The kind's schema accepted it: that is the type's contract.
  return { resource: copy as unknown as ResourceTypes[K], details: [] };
}

/** As `parseResource` for one admin API body: throws the most specific error code. */
export function parseOrThrow<K extends ResourceKind>(kind: K, body: unknown): ResourceTypes[K] {
  const { resource, details } = parseResource(kind, body);
  if (resource !== undefined) return resource;
  if (kind === 'plugins' && isObject(body)) {
    const name = String(body['name']);
    const unknown = details.find((d) => d.path === '/name' && d.message.startsWith('unknown plugin'));
    if (unknown !== undefined) throw new KeywayError('KW_ERR_PLUGIN_UNKNOWN', { name }, { details });
    const first = details[0];
    if (first !== undefined && first.path.startsWith('/config')) {
      throw new KeywayError(
        'KW_ERR_PLUGIN_CONFIG',
        { name, reason: `${first.path}: ${first.message}` },
        { details },
      );
    }
  }
  throw validationError(details);
}

/** Where a kind's key lives in a body, for errors about it. */
export function keyPath(kind: ResourceKind): string {
  if (kind === 'subscriptions') return '/app';
  return kind === 'consumers' ? '/username' : '/name';
}

/** The user's fields of a stored resource: what the declarative file and the diff compare. */
export function userFields<K extends ResourceKind>(stored: Stored<K>): ResourceTypes[K] {
  const { id: _id, created_at: _c, updated_at: _u, ...rest } = stored as Stored<K> & Meta;
  return rest as unknown as ResourceTypes[K];
}

/** The same fields as a plain record, for merging and comparing. */
export function fieldsOf(resource: object): Record<string, unknown> {
  return { ...resource };
}

/** A resource's key; generic so a kind known only as `ResourceKind` still type-checks. */
export function resourceKey<K extends ResourceKind>(kind: K, resource: ResourceTypes[K]): string {
  return KINDS[kind].key(resource);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
