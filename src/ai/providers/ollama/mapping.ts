/** Ollama chat answers (whole or one NDJSON line) in canonical terms. */
import type { FinishReason, ToolCall, Usage } from '../../types.js';
import { newToolCallId, usageOf } from '../common/chunks.js';
import { asArray, asNumber, asObject, asString, type Json } from '../common/shape.js';

/** `message.tool_calls`: arguments arrive as objects, ids only from newer Ollama versions. */
export function toolCalls(message: Json | undefined): ToolCall[] {
  return asArray(message?.['tool_calls']).flatMap((raw) => {
    const call = asObject(raw);
    const fn = asObject(call?.['function']);
    if (fn === undefined) return [];
    return [
      {
        id: asString(call?.['id']) ?? newToolCallId(),
        type: 'function' as const,
        function: {
          name: asString(fn['name']) ?? '',
          arguments: JSON.stringify(asObject(fn['arguments']) ?? {}),
        },
      },
    ];
  });
}

/** done_reason `length` → length; `stop` (and load/unload) → stop, or tool_calls when tools were called. */
export function finishReason(doneReason: unknown, called: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return called ? 'tool_calls' : 'stop';
}

/**
 * prompt_eval_count / eval_count of the final answer. Ollama leaves prompt_eval_count out when the
 * whole prompt came from its cache: 0 prompt tokens were evaluated, which is what is reported.
 */
export function ollamaUsage(body: Json): Usage | undefined {
  const prompt = asNumber(body['prompt_eval_count']);
  const completion = asNumber(body['eval_count']);
  if (prompt === undefined && completion === undefined) return undefined;
  return usageOf(prompt ?? 0, completion ?? 0);
}
