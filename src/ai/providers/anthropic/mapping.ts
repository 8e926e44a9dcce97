/** Anthropic stop reasons and usage in canonical terms (shared by the JSON and stream mappings). */
import type { FinishReason, Usage } from '../../types.js';
import { usageOf } from '../common/chunks.js';
import { asNumber, asObject } from '../common/shape.js';

/**
 * end_turn / stop_sequence / pause_turn → stop; max_tokens and model_context_window_exceeded → length;
 * tool_use → tool_calls (stop when the only tool used was the JSON-mode tool); refusal → content_filter.
 */
export function finishReason(stop: unknown, callerToolUsed: boolean): FinishReason {
  switch (stop) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return callerToolUsed ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Anthropic counts cached input apart: `input_tokens` excludes both cache reads and cache writes. The
 * canonical prompt count is all three (as OpenAI's prompt_tokens includes its cached tokens), with the
 * cache reads as `cached_tokens` (billed at the cached price). Cache writes are billed at the input price
 * here; Anthropic charges them 1.25× — a price table can reflect that only on average.
 */
export function anthropicUsage(u: unknown): Usage | undefined {
  const usage = asObject(u);
  if (usage === undefined) return undefined;
  const input = asNumber(usage['input_tokens']) ?? 0;
  const read = asNumber(usage['cache_read_input_tokens']) ?? 0;
  const written = asNumber(usage['cache_creation_input_tokens']) ?? 0;
  return usageOf(input + read + written, asNumber(usage['output_tokens']) ?? 0, read);
}
