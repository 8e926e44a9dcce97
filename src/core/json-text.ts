/**
 * JSON that stays text on the proxy's thread. Parsing a 5 MB declarative document takes the event loop
 * for tens of milliseconds (and builds a heap the size of the document several times over); an admin
 * body over RAW_JSON_MIN_BYTES is therefore kept as bytes (`RawJson`) and parsed where the change is
 * made — the config thread (src/control/thread/) — with the checks the admin API's parser makes: nesting
 * depth first, then JSON, then no prototype-poisoning keys, then the route's body schema. Large answers
 * come back the other way as `JsonText`, serialized off the proxy's thread and sent as they are.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { KeywayError, validationError } from './errors.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep } from './json-depth.js';
import { createAjv } from './validator.js';

/** Bodies at least this large are not parsed on the proxy's thread (a 64 KiB parse is well under 1 ms). */
export const RAW_JSON_MIN_BYTES = 64 * 1024;

/** A route's body schema, named so a thread compiles it once. */
export interface BodySchema {
  id: string;
  schema: object;
}

/** An admin request body not parsed yet, with the route's body schema when it has one. */
export class RawJson {
  readonly bytes: Uint8Array;
  schema: BodySchema | undefined;
  constructor(bytes: Uint8Array, schema?: BodySchema) {
    this.bytes = bytes;
    this.schema = schema;
  }
}

/** An answer already serialized to JSON, sent as is. */
export class JsonText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

const notJson = (): KeywayError =>
  validationError([{ path: '', message: 'body is not valid JSON' }], 'body is not valid JSON');

// `__proto__` and `constructor`, also spelt with \u escapes (which JSON.parse decodes in keys).
const PROTO =
  /(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])/;
const CONSTRUCTOR =
  /(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)/;

/**
 * Whether a parsed value holds a `__proto__` key, or a `constructor` key whose value has `prototype`:
 * what Fastify's parser refuses (secure-json-parse, both actions 'error'), since code merging such a
 * value into another object would change that object's prototype. Iterative: the depth is bounded, but
 * the breadth of a 5 MB document is not.
 */
function poisoned(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (Object.hasOwn(node, '__proto__')) return true;
    const ctor: unknown = (node as Record<string, unknown>)['constructor'];
    if (Object.hasOwn(node, 'constructor') && typeof ctor === 'object' && ctor !== null) {
      if (Object.hasOwn(ctor, 'prototype')) return true;
    }
    for (const v of Object.values(node)) stack.push(v);
  }
  return false;
}

/** Parses JSON text with the admin API's refusals (too deep, not JSON, prototype keys) as KeywayErrors. */
export function parseJsonText(text: string): unknown {
  if (jsonTextTooDeep(text)) throw new KeywayError('KW_ERR_BODY_TOO_DEEP', { limit: MAX_JSON_DEPTH });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notJson();
  }
  if ((PROTO.test(text) || CONSTRUCTOR.test(text)) && poisoned(value)) throw notJson();
  return value;
}

/**
 * The body schema check Fastify would have made, failing the way Fastify fails (an error carrying
 * `validation`), so the admin API's error mapping answers exactly as for a small body. Same options as
 * the admin API's body validator (src/admin/app.ts).
 */
export const BODY_AJV_OPTIONS = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: false,
  coerceTypes: false,
  strict: false,
} as const;

let bodyAjv: ReturnType<typeof createAjv> | undefined;
const compiled = new Map<string, ValidateFunction>();

export class BodyValidationError extends Error {
  readonly validation: ErrorObject[];
  readonly validationContext = 'body';
  readonly statusCode = 400;
  constructor(validation: ErrorObject[]) {
    super('body does not match its schema');
    this.validation = validation;
  }
}

function checkSchema(value: unknown, schema: BodySchema): void {
  let fn = compiled.get(schema.id);
  if (fn === undefined) {
    bodyAjv ??= createAjv(BODY_AJV_OPTIONS);
    fn = bodyAjv.compile(schema.schema);
    compiled.set(schema.id, fn);
  }
  if (!fn(value)) throw new BodyValidationError(fn.errors ?? []);
}

/** The value of a raw body: parsed, checked, and schema-validated as the admin API's parser would have. */
export function readRawJson(raw: RawJson): unknown {
  const text = Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength).toString('utf8');
  if (text === '') throw validationError([{ path: '', message: 'body is empty' }], 'body is empty');
  const value = parseJsonText(text);
  if (raw.schema !== undefined) checkSchema(value, raw.schema);
  return value;
}

/** A body as the config service reads it: a raw one is parsed here, anything else is already a value. */
export function bodyValue(body: unknown): unknown {
  return body instanceof RawJson ? readRawJson(body) : body;
}
