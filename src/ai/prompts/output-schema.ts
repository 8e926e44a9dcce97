/**
 * A prompt API's JSON output schema, compiled with the project's ajv (src/core/validator.ts: JSON Schema
 * draft-07, formats, defaults filled) when the snapshot compiles.
 *
 * ajv keeps every schema object it compiled in an internal map, and refuses a second schema with the
 * same `$id`. Snapshots compile again on every config change, so compiling the stored schema object each
 * time would grow that map forever and fail on any schema with an `$id`. Instead: one validator per
 * distinct schema text (equal schemas compile once across snapshots), each compiled from a private copy
 * that ajv is told to forget straight after; the generated function keeps working on its own.
 */
import type { ValidateFunction } from 'ajv';
import { ajv } from '../../core/validator.js';
import { canonicalJson } from './hash.js';

/** Distinct schemas kept; beyond it the least recently compiled one is dropped (and compiled again if used). */
const MAX_CACHED = 256;
const cache = new Map<string, ValidateFunction>();

export type CompiledSchema =
  { validate: ValidateFunction; error?: undefined } | { validate?: undefined; error: string };

export function compileOutputSchema(schema: Readonly<Record<string, unknown>>): CompiledSchema {
  const key = canonicalJson(schema);
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return { validate: hit };
  }
  const copy = structuredClone(schema) as Record<string, unknown>;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(copy);
  } catch (err) {
    return { error: describe(err) };
  } finally {
    ajv.removeSchema(copy);
  }
  cache.set(key, validate);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  return { validate };
}

/** ajv's reason, without its `schema is invalid: data/…` framing. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : 'is not a valid JSON schema';
  const m = /^schema is invalid: (.*)$/s.exec(message);
  if (m === null) return `is not a valid JSON schema: ${message}`;
  return `is not a valid JSON schema: ${m[1].replace(/\bdata(?=[/.]|\b)/g, 'schema')}`;
}
