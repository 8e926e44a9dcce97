/**
 * Shape checks of caller request bodies, shared by the OpenAI-format (src/ai/endpoints/openai-request.ts)
 * and Anthropic-format (src/ai/messages-api/validate.ts) endpoints. The first problem is answered as 400
 * KW_ERR_BAD_REQUEST naming the field with a JSON pointer (`/messages/0/role`), which clients show as the
 * error's `param`.
 */
import { KeywayError } from '../core/errors.js';

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bad(path: string, message: string): never {
  throw new KeywayError(
    'KW_ERR_BAD_REQUEST',
    { reason: `${path}: ${message}` },
    { details: [{ path, message }] },
  );
}

export function requireModel(body: Obj): void {
  if (typeof body['model'] !== 'string' || body['model'] === '') bad('/model', 'must be a non-empty string');
}

/** `obj[field]`, when set (not undefined or null), is of `type`; `at` is the pointer to `obj`. */
export function optional(obj: Obj, field: string, type: 'string' | 'number' | 'boolean', at = ''): void {
  const v = obj[field];
  if (v !== undefined && v !== null && typeof v !== type) bad(`${at}/${field}`, `must be a ${type}`);
}
