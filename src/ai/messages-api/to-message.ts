/**
 * A canonical chat completion as an Anthropic `message` object for `/v1/messages` callers: the content
 * as a text block, tool calls as `tool_use` blocks (arguments parsed back into `input`), the finish
 * reason as a stop reason and the usage split the Anthropic way (cache reads apart from fresh input).
 */
import { randomBase64url } from '../../core/random-id.js';
import type { ChatResponse, FinishReason, ToolCall, Usage } from '../types.js';
import type * as A from './wire.js';

/** `msg_` and 24 random base64url characters, like the ids the Anthropic API hands out. */
export function newMessageId(): string {
  return `msg_${randomBase64url(18)}`;
}

export function toMessage(res: ChatResponse, model: string, id: string): A.MessageObject {
  const choice = res.choices[0];
  const content: A.ResponseBlock[] = [];
  const text = choice?.message.content ?? '';
  if (text !== '') content.push({ type: 'text', text });
  const calls = choice?.message.tool_calls ?? [];
  for (const call of calls) content.push(toolUse(call));
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason(choice?.finish_reason ?? null, calls.length > 0),
    stop_sequence: null,
    usage: anthropicUsage(res.usage),
  };
}

export function toolUse(call: ToolCall): A.ToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: inputOf(call.function.arguments) };
}

/**
 * stop → end_turn (tool_use when the answer has tool calls: some providers say "stop" for those),
 * length → max_tokens, tool_calls → tool_use, content_filter → refusal. Which stop sequence matched is
 * not known across providers: `stop_sequence` stays null.
 */
export function stopReason(finish: FinishReason | null, hasToolCalls: boolean): A.StopReason {
  if (finish === 'length') return 'max_tokens';
  if (finish === 'content_filter') return 'refusal';
  if (finish === 'tool_calls' || hasToolCalls) return 'tool_use';
  return 'end_turn';
}

/** Canonical prompt tokens include cached ones; Anthropic's `input_tokens` does not. */
export function anthropicUsage(usage: Usage | undefined): A.AnthropicUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/**
 * Tool arguments as the `input` object. A provider that produced arguments that are not a JSON object
 * (it happens with small models) gets them wrapped as `{"arguments": "<raw text>"}` rather than lost.
 */
function inputOf(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Fall through: keep the raw text.
  }
  return { arguments: args };
}
