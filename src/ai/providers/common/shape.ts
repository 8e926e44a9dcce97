/**
 * Reading provider JSON without trusting it: providers add fields, omit optional ones and (rarely) send
 * something else entirely. These accessors return undefined for anything not of the expected type, so a
 * mapping reads as the happy path and never throws on a surprising shape.
 */
import { KeywayError } from '../../../core/errors.js';

export type Json = Record<string, unknown>;

export function asObject(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * A provider stream event's JSON. A stream whose events cannot be parsed is broken (a proxy cut it, or
 * this is not the protocol we think it is): it ends with KW_ERR_AI_STREAM_BROKEN, not with garbage.
 */
export function parseEvent(data: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', {
      reason: 'the provider sent an event that is not JSON',
    });
  }
  const obj = asObject(parsed);
  if (obj === undefined)
    throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', {
      reason: 'the provider sent an event that is not an object',
    });
  return obj;
}

/**
 * A tool call's `arguments` (a JSON string in the OpenAI format) as the object native protocols want.
 * Unparsable or non-object arguments are the caller's mistake: 400 naming where they were.
 */
export function parseToolArguments(args: string, where: string): Json {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw badRequest(`${where} is not valid JSON`);
  }
  const obj = asObject(parsed);
  if (obj === undefined) throw badRequest(`${where} must be a JSON object`);
  return obj;
}

/** The request asks for something this provider's protocol cannot express. */
export function badRequest(reason: string): KeywayError {
  return new KeywayError('KW_ERR_BAD_REQUEST', { reason });
}

/** `stop` of a chat request as a list (OpenAI accepts a string or up to 4 strings). */
export function stopList(stop: string | string[] | undefined): string[] | undefined {
  if (stop === undefined) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  return list.length === 0 ? undefined : list;
}
