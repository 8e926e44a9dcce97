/**
 * Named schemas of the admin API's OpenAPI document. A route keeps validating with the very schema object
 * it declares; the document shows that object as `$ref: '#/components/schemas/<Name>'` wherever it
 * appears, and once, under its name, in `components.schemas`. Names are given where the schema is made
 * (src/admin/schemas.ts and the route files), so there is one per resource kind and no copy per route.
 */
import type { JsonSchema } from '../../model/index.js';

const names = new WeakMap<object, string>();
const byName = new Map<string, object>();

/** Gives a schema its component name; the same object is returned, for use in a route's declaration. */
export function named<T extends object>(name: string, schema: T): T {
  const other = byName.get(name);
  if (other !== undefined && other !== schema) throw new Error(`two admin schemas named ${name}`);
  names.set(schema, name);
  byName.set(name, schema);
  return schema;
}

export function componentName(schema: unknown): string | undefined {
  return typeof schema === 'object' && schema !== null ? names.get(schema) : undefined;
}

export const componentRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * A copy of `schema` with every named schema inside it (and, unless `keepRoot`, itself) replaced by its
 * `$ref`; `found` collects the names it refers to, so their components can be emitted in turn.
 */
export function withRefs(schema: unknown, found: Set<string>, keepRoot = false): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  const name = keepRoot ? undefined : names.get(schema);
  if (name !== undefined) {
    found.add(name);
    return componentRef(name);
  }
  if (Array.isArray(schema)) return schema.map((s: unknown) => withRefs(s, found));
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withRefs(v, found)]));
}

/** `components.schemas` for the names `found` (and those they refer to), each with its own refs. */
export function componentSchemas(found: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const queue = [...found];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (name in out) continue;
    const schema = byName.get(name);
    if (schema === undefined) throw new Error(`no admin schema named ${name}`);
    const refs = new Set<string>();
    out[name] = withRefs(schema, refs, true);
    queue.push(...refs);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
