/**
 * Tool call ids for Gemini, which carry its thought signatures.
 *
 * Gemini function calls come without ids (matching is by name) but, on thinking models, with a
 * `thoughtSignature` that must be sent back with the call in the next turn — Gemini 3 refuses a history
 * whose function calls lack it (https://ai.google.dev/gemini-api/docs/thought-signatures). An OpenAI
 * client keeps nothing but the tool call's id, so the signature travels inside it:
 * `call_<random>__ts_<signature as base64url>`. base64url keeps the id within `^[a-zA-Z0-9_-]+$`, so the
 * same conversation can later go to Anthropic, which checks ids against that pattern.
 *
 * A history without signatures (it started on another provider) gets Gemini's documented placeholder,
 * which tells the API to skip the check for that call.
 */
import { newToolCallId } from '../common/chunks.js';

const MARK = '__ts_';

/** Documented by Google for function calls whose signature is unknown (history from another model). */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

export function toolCallId(signature: string | undefined, providerId: string | undefined): string {
  const base =
    providerId !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(providerId) ? providerId : newToolCallId();
  if (signature === undefined || signature === '') return base;
  return `${base}${MARK}${Buffer.from(signature, 'base64').toString('base64url')}`;
}

/** The thought signature carried by an id (standard base64, as Gemini sent it), or undefined. */
export function signatureOf(id: string): string | undefined {
  const at = id.indexOf(MARK);
  if (at === -1) return undefined;
  const packed = id.slice(at + MARK.length);
  return packed === '' ? undefined : Buffer.from(packed, 'base64url').toString('base64');
}
