/**
 * Ollama's NDJSON chat stream as canonical chunks: each line `{"message":{"content":"…"},"done":false}`
 * is a content delta (tool calls arrive whole, one delta each); the final line `{"done":true,
 * "done_reason":"stop","prompt_eval_count":…,"eval_count":…}` gives the finish chunk and the usage chunk.
 * A `{"error":"…"}` line, or an end without a `done: true` line, is a broken stream.
 */
import { KeywayError } from '../../../core/errors.js';
import type { ChatChunk, StreamEvent, StreamIds, StreamTranslator } from '../../types.js';
import { ChunkMaker } from '../common/chunks.js';
import { asObject, asString, parseEvent } from '../common/shape.js';
import { finishReason, ollamaUsage, toolCalls } from './mapping.js';

export function ollamaStream(ids: StreamIds): StreamTranslator {
  return new OllamaStream(ids);
}

class OllamaStream implements StreamTranslator {
  private readonly make: ChunkMaker;
  private started = false;
  private tools = 0;
  private done = false;

  constructor(ids: StreamIds) {
    this.make = new ChunkMaker(ids);
  }

  push(ev: StreamEvent): ChatChunk[] {
    const line = parseEvent(ev.data);
    if (line['error'] !== undefined)
      throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', { reason: 'the provider sent an error line' });
    if (this.done) return [];
    const out: ChatChunk[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.make.role());
    }
    const message = asObject(line['message']);
    const text = asString(message?.['content']) ?? '';
    if (text !== '') out.push(this.make.text(text));
    for (const call of toolCalls(message))
      out.push(
        this.make.tool({ index: this.tools++, id: call.id, type: 'function', function: call.function }),
      );
    if (line['done'] === true) {
      this.done = true;
      out.push(this.make.finish(finishReason(line['done_reason'], this.tools > 0)));
      const usage = ollamaUsage(line);
      if (usage !== undefined) out.push(this.make.usage(usage));
    }
    return out;
  }

  end(): ChatChunk[] {
    if (!this.done)
      throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', { reason: 'the stream ended before its done line' });
    return [];
  }
}
