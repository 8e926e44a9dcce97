/** Gemini candidates, finish reasons and usage in canonical terms (shared by the JSON and stream mappings). */
import type { FinishReason, ToolCall, Usage } from '../../types.js';
import { usageOf } from '../common/chunks.js';
import { asArray, asNumber, asObject, asString, type Json } from '../common/shape.js';
import { toolCallId } from './tool-ids.js';

/** What one candidate (or one streamed piece of it) says: its text, its function calls, its finish. */
export interface CandidatePiece {
  index: number;
  text: string;
  calls: ToolCall[];
  /** Gemini's finishReason when this piece ends the candidate. */
  finish: string | undefined;
}

export function candidates(body: Json): CandidatePiece[] {
  return asArray(body['candidates']).map((raw, i) => {
    const c = asObject(raw) ?? {};
    let text = '';
    const calls: ToolCall[] = [];
    for (const p of asArray(asObject(c['content'])?.['parts'])) {
      const part = asObject(p);
      if (part === undefined || part['thought'] === true) continue;
      if (typeof part['text'] === 'string') text += part['text'];
      const fc = asObject(part['functionCall']);
      if (fc !== undefined)
        calls.push({
          id: toolCallId(asString(part['thoughtSignature']), asString(fc['id'])),
          type: 'function',
          function: {
            name: asString(fc['name']) ?? '',
            arguments: JSON.stringify(asObject(fc['args']) ?? {}),
          },
        });
    }
    return { index: asNumber(c['index']) ?? i, text, calls, finish: asString(c['finishReason']) };
  });
}

/** A prompt Gemini refused outright comes back with `promptFeedback.blockReason` and no candidates. */
export function promptBlocked(body: Json): boolean {
  return asString(asObject(body['promptFeedback'])?.['blockReason']) !== undefined;
}

/**
 * STOP → stop (tool_calls when the candidate called functions: Gemini says STOP for those too);
 * MAX_TOKENS → length; the safety family (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII,
 * IMAGE_SAFETY, LANGUAGE) → content_filter; anything else (OTHER, MALFORMED_FUNCTION_CALL…) → stop.
 */
export function finishReason(finish: string | undefined, called: boolean): FinishReason {
  if (finish === 'MAX_TOKENS') return 'length';
  if (finish !== undefined && CONTENT_FILTER.has(finish)) return 'content_filter';
  return called ? 'tool_calls' : 'stop';
}

const CONTENT_FILTER = new Set([
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/**
 * `usageMetadata`: prompt = promptTokenCount (cached content included) + toolUsePromptTokenCount;
 * completion = candidatesTokenCount + thoughtsTokenCount (thinking is billed as output);
 * cached = cachedContentTokenCount.
 */
export function geminiUsage(meta: unknown): Usage | undefined {
  const u = asObject(meta);
  if (u === undefined) return undefined;
  const prompt = (asNumber(u['promptTokenCount']) ?? 0) + (asNumber(u['toolUsePromptTokenCount']) ?? 0);
  const completion = (asNumber(u['candidatesTokenCount']) ?? 0) + (asNumber(u['thoughtsTokenCount']) ?? 0);
  return usageOf(prompt, completion, asNumber(u['cachedContentTokenCount']));
}
