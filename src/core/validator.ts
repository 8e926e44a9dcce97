/**
 * One shared ajv instance for every schema Keyway checks (resources, plugin configs, node settings,
 * declarative files), with errors turned into `{path, message}` details that name the field.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SECRET_KEYWORD } from './secret-fields.js';
import type { ErrorDetail } from './errors.js';

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = addFormatsModule.default;

// `logger: false`: ajv otherwise prints warnings (an unknown `format` in a user's prompt output schema)
// with console.warn, raw text beside the node's JSON log lines. An unknown format is ignored either way,
// which is what JSON Schema says of formats a validator does not know.
export const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  strict: false,
  coerceTypes: false,
  logger: false,
});
addFormats(ajv);
// An annotation (src/core/secret-fields.ts): declared so the schemas carrying it stay valid for ajv.
ajv.addKeyword({ keyword: SECRET_KEYWORD, schemaType: ['boolean', 'string'] });

/**
 * Another ajv instance, for callers that need other options (the admin API's body and query validators):
 * silent like the shared one, and knowing every format registered on it so far — ajv-formats' and
 * Keyway's own (`iana-time-zone`, registered where the schemas using it live). Create it after the
 * schemas' modules are loaded (at app start, not at import time).
 */
export function createAjv(options: Options): Ajv {
  const instance = new Ajv({ ...options, logger: false });
  for (const [name, format] of Object.entries(ajv.formats)) {
    if (format !== undefined) instance.addFormat(name, format);
  }
  return instance;
}

const cache = new WeakMap<object, ValidateFunction>();

export function compileSchema(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (fn === undefined) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/** Validates `data` (defaults are filled in place) and returns field-level problems, empty when valid. */
export function validate(schema: object, data: unknown, basePath = ''): ErrorDetail[] {
  const fn = compileSchema(schema);
  if (fn(data)) return [];
  return toDetails(fn.errors ?? [], basePath);
}

export function toDetails(errors: ErrorObject[], basePath = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // `if` only says which of `then`/`else` failed; that branch's own errors name the field and reason.
    if (e.keyword === 'if') continue;
    let path = basePath + e.instancePath;
    let message = e.message ?? 'is invalid';
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') {
      path = `${path}/${String(params['additionalProperty'])}`;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      path = `${path}/${String(params['missingProperty'])}`;
      message = 'is required';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${JSON.stringify(params['allowedValues'])}`;
    } else if (e.keyword === 'pattern') {
      message = 'has an invalid format';
    }
    const k = `${path}|${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path, message });
  }
  return out;
}
