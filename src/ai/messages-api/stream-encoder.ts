/**
 * Canonical stream chunks as Anthropic stream events for `/v1/messages` callers, chunk by chunk:
 *
 *   start()           message_start (input_tokens: the prompt estimate; the real count follows in
 *                     message_delta, which Anthropic's SDKs take as the final figure)
 *   content delta     content_block_start {text} once, then content_block_delta {text_delta}
 *   tool-call delta   content_block_stop of the open block, content_block_start {tool_use id,name},
 *                     then content_block_delta {input_json_delta} per arguments piece
 *   finish reason     remembered;  usage chunk: remembered
 *   finish()          content_block_stop, message_delta {stop_reason, usage}, message_stop
 *
 * Blocks are sequential, as Anthropic's are: a new block closes the previous one. Only the first choice
 * is encoded (Anthropic answers have one).
 */
import type { ChatChunk, FinishReason, ToolCallDelta, Usage } from '../types.js';
import { newToolCallId } from '../providers/common/chunks.js';
import { anthropicUsage, stopReason } from './to-message.js';

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export class AnthropicEventEncoder {
  private readonly id: string;
  private readonly model: string;
  private readonly estimatedInput: number;
  /** Index of the next content block; the open block is `next - 1` when `open` is set. */
  private next = 0;
  private open: 'text' | 'tool' | undefined;
  /** Tool call index (OpenAI's) → content block index. */
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;

  constructor(id: string, model: string, estimatedInput: number) {
    this.id = id;
    this.model = model;
    this.estimatedInput = estimatedInput;
  }

  start(): SseEvent[] {
    const message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.estimatedInput, output_tokens: 0 },
    };
    return [{ event: 'message_start', data: { type: 'message_start', message } }];
  }

  chunk(chunk: ChatChunk): SseEvent[] {
    if (chunk.usage !== undefined && chunk.usage !== null) this.usage = chunk.usage;
    const choice = chunk.choices.find((c) => c.index === 0);
    if (choice === undefined) return [];
    const out: SseEvent[] = [];
    const text = choice.delta.content;
    if (typeof text === 'string' && text !== '') {
      if (this.open !== 'text') out.push(...this.openBlock('text', { type: 'text', text: '' }));
      out.push(delta(this.next - 1, { type: 'text_delta', text }));
    }
    for (const call of choice.delta.tool_calls ?? []) out.push(...this.toolDelta(call));
    if (choice.finish_reason !== null && choice.finish_reason !== undefined)
      this.finish = choice.finish_reason;
    return out;
  }

  finishEvents(): SseEvent[] {
    const out = this.closeBlock();
    const usage = anthropicUsage(this.usage);
    out.push({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: stopReason(this.finish, this.toolBlocks.size > 0), stop_sequence: null },
        usage: this.usage === undefined ? { output_tokens: 0 } : usage,
      },
    });
    out.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return out;
  }

  private toolDelta(call: ToolCallDelta): SseEvent[] {
    const out: SseEvent[] = [];
    let block = this.toolBlocks.get(call.index);
    if (block === undefined) {
      const start = {
        type: 'tool_use',
        id: call.id ?? newToolCallId(),
        name: call.function?.name ?? '',
        input: {},
      };
      out.push(...this.openBlock('tool', start));
      block = this.next - 1;
      this.toolBlocks.set(call.index, block);
    }
    const args = call.function?.arguments;
    // A late piece of an earlier call (interleaved parallel calls) still names its own block index.
    if (args !== undefined && args !== '')
      out.push(delta(block, { type: 'input_json_delta', partial_json: args }));
    return out;
  }

  private openBlock(kind: 'text' | 'tool', block: Record<string, unknown>): SseEvent[] {
    const out = this.closeBlock();
    out.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index: this.next, content_block: block },
    });
    this.next++;
    this.open = kind;
    return out;
  }

  private closeBlock(): SseEvent[] {
    if (this.open === undefined) return [];
    this.open = undefined;
    return [{ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.next - 1 } }];
  }
}

function delta(index: number, d: Record<string, unknown>): SseEvent {
  return { event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: d } };
}
