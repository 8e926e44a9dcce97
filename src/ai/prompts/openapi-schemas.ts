/**
 * Output schemas as OpenAPI components: named `<prompt>.output` (component names allow
 * `[A-Za-z0-9._-]`), marked draft-07, with local `$ref`s rewritten to point inside the component. A
 * schema with its own `$id` is left as written: its `#` already means itself.
 */
import type { CompiledPrompt } from './compile.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Keywords whose values are data, not schemas: a `$ref` string in there is just a string. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

export function outputComponents(prompts: readonly CompiledPrompt[]): {
  schemas: Record<string, unknown>;
  /** Prompt name → `$ref` of its output component. */
  refs: Map<string, string>;
} {
  const schemas: Record<string, unknown> = {};
  const refs = new Map<string, string>();
  for (const p of prompts) {
    const schema = p.def.output?.format === 'json' ? p.def.output.schema : undefined;
    if (schema === undefined) continue;
    const base = `${p.def.name.replace(/[^A-Za-z0-9._-]/g, '_')}.output`;
    let name = base;
    for (let n = 2; Object.hasOwn(schemas, name); n++) name = `${base}${n}`;
    const ref = `#/components/schemas/${name}`;
    const own = typeof schema['$id'] === 'string';
    schemas[name] = {
      ...(Object.hasOwn(schema, '$schema') ? {} : { $schema: DRAFT_07 }),
      ...(own ? schema : rebaseObject(schema, ref)),
    };
    refs.set(p.def.name, ref);
  }
  return { schemas, refs };
}

/** Keywords whose value maps names to schemas: the names are not keywords. */
const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependencies',
  'dependentSchemas',
]);

/** A copy of schema `node` with every local `$ref` (`#…`) prefixed by `ref`. */
function rebase(node: unknown, ref: string): unknown {
  if (Array.isArray(node)) return node.map((n: unknown) => rebase(n, ref));
  if (typeof node !== 'object' || node === null) return node;
  return rebaseObject(node as Record<string, unknown>, ref);
}

function rebaseObject(node: Readonly<Record<string, unknown>>, ref: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#')) out[k] = ref + v.slice(1);
    else if (DATA_KEYWORDS.has(k)) out[k] = v;
    else if (SCHEMA_MAPS.has(k) && typeof v === 'object' && v !== null && !Array.isArray(v))
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([name, s]) => [name, rebase(s, ref)]),
      );
    else out[k] = rebase(v, ref);
  }
  return out;
}
