/**
 * JSON Schema (what OpenAI callers send as tool parameters and response schemas) as the Gemini `Schema`
 * object: a subset of the OpenAPI 3.0 schema object (https://ai.google.dev/api/caching#Schema). Gemini
 * refuses keywords outside that subset with a 400, so the schema is rewritten, not passed through:
 *
 * - `$ref` into `$defs` / `definitions` is inlined (a recursive schema is cut at MAX_DEPTH to a bare
 *   object: the Schema object has no references);
 * - `type: ["string", "null"]` → `type: STRING, nullable: true`; several non-null types → `anyOf`;
 * - `const` → a one-value `enum`; enums of non-strings are dropped (Gemini enums are strings);
 * - `oneOf` → `anyOf`; `allOf` → its members merged;
 * - `format` is kept only where Gemini knows it (date-time/enum for strings, int32/int64, float/double);
 * - everything else (additionalProperties, $schema, patternProperties, exclusiveMinimum, …) is dropped.
 */
import type { Json } from '../common/shape.js';
import { asArray, asObject } from '../common/shape.js';

const MAX_DEPTH = 16;

const TYPES: Record<string, string> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
};

const FORMATS: Record<string, readonly string[]> = {
  STRING: ['date-time', 'enum'],
  INTEGER: ['int32', 'int64'],
  NUMBER: ['float', 'double'],
};

/** Keywords copied as they are (their meaning is the same in both dialects). */
const KEPT = [
  'title',
  'description',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'example',
  'default',
  'propertyOrdering',
] as const;

export function toGeminiSchema(schema: Record<string, unknown>): Json {
  const defs = { ...asObject(schema['definitions']), ...asObject(schema['$defs']) };
  return convert(schema, defs, 0);
}

function convert(node: Json, defs: Json, depth: number): Json {
  if (depth > MAX_DEPTH) return { type: 'OBJECT' };
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const target = asObject(defs[ref.replace(/^#\/(\$defs|definitions)\//, '')]);
    return target === undefined ? { type: 'OBJECT' } : convert(target, defs, depth + 1);
  }
  const merged = mergeAllOf(node);
  const out: Json = {};
  for (const key of KEPT) if (merged[key] !== undefined) out[key] = merged[key];
  applyType(merged, out, defs, depth);
  const type = out['type'];
  if (
    typeof merged['format'] === 'string' &&
    typeof type === 'string' &&
    FORMATS[type]?.includes(merged['format'])
  )
    out['format'] = merged['format'];
  const values = merged['const'] !== undefined ? [merged['const']] : asArray(merged['enum']);
  if (values.length > 0 && values.every((v) => typeof v === 'string')) {
    out['enum'] = values;
    out['type'] ??= 'STRING';
  }
  const props = asObject(merged['properties']);
  if (props !== undefined) {
    const converted: Json = {};
    for (const [name, sub] of Object.entries(props))
      converted[name] = convert(asObject(sub) ?? {}, defs, depth + 1);
    out['properties'] = converted;
    const required = asArray(merged['required']).filter((r) => typeof r === 'string' && r in converted);
    if (required.length > 0) out['required'] = required;
  }
  const items = Array.isArray(merged['items']) ? asObject(merged['items'][0]) : asObject(merged['items']);
  if (items !== undefined) out['items'] = convert(items, defs, depth + 1);
  const alternatives = [...asArray(merged['anyOf']), ...asArray(merged['oneOf'])];
  if (alternatives.length > 0) nullableAnyOf(alternatives, out, defs, depth);
  return out;
}

/** `type` (string or list) → Gemini's upper-case type, `nullable`, or an `anyOf` of several types. */
function applyType(node: Json, out: Json, defs: Json, depth: number): void {
  const raw = node['type'];
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (t) => typeof t === 'string',
  );
  const types = list
    .filter((t) => t !== 'null')
    .map((t) => TYPES[t])
    .filter((t) => t !== undefined);
  if (list.includes('null')) out['nullable'] = true;
  if (types.length === 1) out['type'] = types[0];
  else if (types.length > 1)
    out['anyOf'] = list
      .filter((t) => t !== 'null')
      .map((t) => convert({ ...node, type: t, anyOf: undefined, oneOf: undefined }, defs, depth + 1));
  else if (list.includes('null')) out['type'] = 'STRING';
}

/** `anyOf` members; a `{type: "null"}` member becomes `nullable` instead, one remaining member is inlined. */
function nullableAnyOf(alternatives: unknown[], out: Json, defs: Json, depth: number): void {
  const members = alternatives.map((a) => asObject(a) ?? {});
  const nonNull = members.filter((m) => m['type'] !== 'null');
  if (nonNull.length < members.length) out['nullable'] = true;
  if (nonNull.length === 1)
    Object.assign(
      out,
      convert(nonNull[0], defs, depth + 1),
      out['nullable'] === true ? { nullable: true } : {},
    );
  else if (nonNull.length > 1) out['anyOf'] = nonNull.map((m) => convert(m, defs, depth + 1));
}

/** `allOf` folded into its parent: properties and required lists united, other keywords first-wins. */
function mergeAllOf(node: Json): Json {
  const parts = asArray(node['allOf'])
    .map((p) => asObject(p))
    .filter((p): p is Json => p !== undefined);
  if (parts.length === 0) return node;
  const merged: Json = { ...node, allOf: undefined };
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) if (merged[k] === undefined) merged[k] = v;
    const props = asObject(part['properties']);
    if (props !== undefined) merged['properties'] = { ...asObject(merged['properties']), ...props };
    const req = asArray(part['required']);
    if (req.length > 0) merged['required'] = [...new Set([...asArray(merged['required']), ...req])];
  }
  return merged;
}
