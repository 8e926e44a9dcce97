/**
 * What the proxy's thread and the config thread say to each other (config-thread.ts, config-thread-entry.ts).
 * Everything crosses by structured clone, which keeps plain data and drops classes: a `RawJson` body
 * travels as its bytes, an error as the fields its answer is made of, and both are rebuilt on arrival as
 * the same classes, so an admin answer is the same byte for byte whichever thread made the change.
 */
import { KeywayError, type ErrorCode, type ErrorDetail } from '../../core/errors.js';
import { RawJson, type BodySchema } from '../../core/json-text.js';
import type { OpenStoreOptions } from '../../store/open-store.js';
import type { ConfigService } from '../types.js';

export interface ConfigThreadSettings {
  /** The node's store, opened again on the thread's own connection. */
  store: OpenStoreOptions;
  /**
   * The server secret: the thread seals AI provider keys and plugin secrets and hashes imported API keys
   * with it, as the node does. Passed once at start; never logged, never in a message.
   */
  secret: Uint8Array;
  /** The node's environment, for `secret_env` references (a copy: the thread checks what the node serves). */
  env?: Record<string, string | undefined>;
  /** Versions kept per workspace in the config history (`config_history_keep`). */
  historyKeep?: number;
}

export type Method = keyof ConfigService;

/** One argument of a call: a raw body as its bytes (and schema), anything else as it is. */
export type WireArg = { raw: Uint8Array; schema?: BodySchema } | { value: unknown };

export type ToThread =
  /** `text`: answer with the result serialized to JSON (a large apply result or export). */
  { type: 'call'; id: number; method: Method; args: WireArg[]; text: boolean } | { type: 'close' };

export type WireError =
  | {
      keyway: true;
      code: ErrorCode;
      message: string;
      status: number;
      details?: ErrorDetail[];
      headers?: Record<string, string>;
    }
  | { keyway: false; name: string; message: string; stack?: string; props: Record<string, unknown> };

export type FromThread =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'text'; id: number; text: string }
  | { type: 'error'; id: number; error: WireError }
  /** A change committed at this version: the node refreshes its snapshot and tells the cluster. */
  | { type: 'changed'; version: number }
  /** API keys an apply imported: the node's key caches must forget them (a key unknown a moment ago). */
  | { type: 'forget'; hashes: string[] }
  | { type: 'closed' };

/** Calls `method` of a service by name (the thread's dispatch, and the inline path of config-thread.ts). */
export async function invoke(service: ConfigService, method: Method, args: unknown[]): Promise<unknown> {
  const fn: unknown = Reflect.get(service, method);
  if (typeof fn !== 'function') throw new KeywayError('KW_ERR_INTERNAL');
  return (await Reflect.apply(fn, service, args)) as unknown;
}

export function toWireArg(arg: unknown): WireArg {
  if (arg instanceof RawJson)
    return arg.schema === undefined ? { raw: arg.bytes } : { raw: arg.bytes, schema: arg.schema };
  return { value: arg };
}

export function fromWireArg(arg: WireArg): unknown {
  return 'raw' in arg ? new RawJson(arg.raw, arg.schema) : arg.value;
}

/** Fields of a non-Keyway error the admin API's error mapping reads (src/admin/http-errors.ts). */
const CARRIED = ['code', 'statusCode', 'validation', 'validationContext'] as const;

export function toWireError(err: unknown): WireError {
  if (err instanceof KeywayError) {
    const out: WireError = {
      keyway: true,
      code: err.code,
      message: err.message,
      status: err.status,
    };
    if (err.details !== undefined) out.details = err.details;
    if (err.headers !== undefined) out.headers = err.headers;
    return out;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const props: Record<string, unknown> = {};
  for (const key of CARRIED) {
    const value: unknown = (e as unknown as Record<string, unknown>)[key];
    if (value !== undefined) props[key] = structuredClone(value);
  }
  const out: WireError = { keyway: false, name: e.name, message: e.message, props };
  if (e.stack !== undefined) out.stack = e.stack;
  return out;
}

export function fromWireError(wire: WireError): Error {
  if (wire.keyway) {
    const opts: { details?: ErrorDetail[]; headers?: Record<string, string>; status: number } = {
      status: wire.status,
    };
    if (wire.details !== undefined) opts.details = wire.details;
    if (wire.headers !== undefined) opts.headers = wire.headers;
    const err = new KeywayError(wire.code, {}, opts);
    // The message was formatted from parameters on the other side; they are not needed again.
    err.message = wire.message;
    return err;
  }
  const err = Object.assign(new Error(wire.message), wire.props);
  err.name = wire.name;
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}
