/**
 * Anthropic's event stream as canonical chunks, one event at a time (nothing is held back):
 *
 *   message_start          → a chunk with the assistant role (input usage remembered)
 *   content_block_start    → for tool_use: a tool-call delta with id, name and empty arguments
 *   content_block_delta    → text_delta: a content delta; input_json_delta: an arguments delta for the
 *                            block's tool call (or a content delta for the JSON-mode tool)
 *   message_delta          → a chunk with the finish reason (output usage remembered)
 *   message_stop           → the usage chunk
 *   ping, content_block_stop, thinking deltas, unknown events → nothing (the API may add event types)
 *   error                  → KW_ERR_AI_STREAM_BROKEN (the provider failed mid-stream, e.g. overloaded)
 *
 * A stream that ends without message_stop was cut short: that is a broken stream too, not a quiet end.
 */
import { KeywayError } from '../../../core/errors.js';
import type { ChatChunk, StreamEvent, StreamIds, StreamTranslator, Usage } from '../../types.js';
import { ChunkMaker } from '../common/chunks.js';
import { asNumber, asObject, asString, parseEvent } from '../common/shape.js';
import { JSON_TOOL_NAME } from './json-mode.js';
import { anthropicUsage, finishReason } from './mapping.js';

export function anthropicStream(ids: StreamIds): StreamTranslator {
  return new AnthropicStream(ids);
}

class AnthropicStream implements StreamTranslator {
  private readonly make: ChunkMaker;
  /** Content block index → tool call index (the n-th caller tool_use block of the message). */
  private readonly tools = new Map<number, number>();
  /** Content block indexes of the JSON-mode tool: their input deltas are the answer's text. */
  private readonly jsonBlocks = new Set<number>();
  private usage: Record<string, unknown> = {};
  private stopped = false;

  constructor(ids: StreamIds) {
    this.make = new ChunkMaker(ids);
  }

  push(ev: StreamEvent): ChatChunk[] {
    const data = parseEvent(ev.data);
    switch (ev.event ?? data['type']) {
      case 'message_start':
        this.usage = { ...asObject(asObject(data['message'])?.['usage']) };
        return [this.make.role()];
      case 'content_block_start':
        return this.blockStart(asNumber(data['index']) ?? 0, asObject(data['content_block']));
      case 'content_block_delta':
        return this.blockDelta(asNumber(data['index']) ?? 0, asObject(data['delta']));
      case 'message_delta': {
        // Counters in message_delta are cumulative totals: they replace, never add.
        for (const [k, v] of Object.entries(asObject(data['usage']) ?? {})) if (v !== null) this.usage[k] = v;
        const stop = asObject(data['delta'])?.['stop_reason'];
        return stop === undefined || stop === null
          ? []
          : [this.make.finish(finishReason(stop, this.tools.size > 0))];
      }
      case 'message_stop': {
        this.stopped = true;
        const usage: Usage | undefined = anthropicUsage(this.usage);
        return usage === undefined ? [] : [this.make.usage(usage)];
      }
      case 'error': {
        const type = asString(asObject(data['error'])?.['type']) ?? 'error';
        throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', {
          reason: `the provider sent an error event (${type})`,
        });
      }
      default:
        return [];
    }
  }

  end(): ChatChunk[] {
    if (!this.stopped)
      throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', { reason: 'the stream ended before message_stop' });
    return [];
  }

  private blockStart(index: number, block: Record<string, unknown> | undefined): ChatChunk[] {
    if (block === undefined) return [];
    if (block['type'] === 'text') {
      const text = asString(block['text']) ?? '';
      return text === '' ? [] : [this.make.text(text)];
    }
    if (block['type'] !== 'tool_use') return [];
    const name = asString(block['name']) ?? '';
    if (name === JSON_TOOL_NAME) {
      this.jsonBlocks.add(index);
      return [];
    }
    const toolIndex = this.tools.size;
    this.tools.set(index, toolIndex);
    return [
      this.make.tool({
        index: toolIndex,
        id: asString(block['id']) ?? '',
        type: 'function',
        function: { name, arguments: '' },
      }),
    ];
  }

  private blockDelta(index: number, delta: Record<string, unknown> | undefined): ChatChunk[] {
    if (delta === undefined) return [];
    if (delta['type'] === 'text_delta') {
      const text = asString(delta['text']) ?? '';
      return text === '' ? [] : [this.make.text(text)];
    }
    if (delta['type'] !== 'input_json_delta') return [];
    const partial = asString(delta['partial_json']) ?? '';
    if (partial === '') return [];
    if (this.jsonBlocks.has(index)) return [this.make.text(partial)];
    const toolIndex = this.tools.get(index);
    return toolIndex === undefined
      ? []
      : [this.make.tool({ index: toolIndex, function: { arguments: partial } })];
  }
}
