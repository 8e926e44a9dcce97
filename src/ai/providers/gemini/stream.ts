/**
 * Gemini's `streamGenerateContent?alt=sse` as canonical chunks. Each event is a whole
 * GenerateContentResponse holding the next piece of each candidate: text pieces become content deltas at
 * once; function calls arrive whole and become one tool-call delta each (id, name and all arguments);
 * a candidate's finishReason becomes its finish chunk. `usageMetadata` is cumulative and complete on the
 * last event: it is sent as the usage chunk when the stream ends.
 *
 * An `{"error": …}` event, or a stream that ends before any candidate finished, is a broken stream.
 */
import { KeywayError } from '../../../core/errors.js';
import type { ChatChunk, StreamEvent, StreamIds, StreamTranslator, Usage } from '../../types.js';
import { ChunkMaker } from '../common/chunks.js';
import { asNumber, asObject, parseEvent } from '../common/shape.js';
import { candidates, finishReason, geminiUsage, promptBlocked } from './mapping.js';

export function geminiStream(ids: StreamIds): StreamTranslator {
  return new GeminiStream(ids);
}

interface CandidateState {
  tools: number;
  finished: boolean;
}

class GeminiStream implements StreamTranslator {
  private readonly make: ChunkMaker;
  private readonly states = new Map<number, CandidateState>();
  private usage: Usage | undefined;

  constructor(ids: StreamIds) {
    this.make = new ChunkMaker(ids);
  }

  push(ev: StreamEvent): ChatChunk[] {
    const data = parseEvent(ev.data);
    const error = asObject(data['error']);
    if (error !== undefined) {
      const code = asNumber(error['code']);
      throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', {
        reason: `the provider sent an error event${code === undefined ? '' : ` (${code})`}`,
      });
    }
    this.usage = geminiUsage(data['usageMetadata']) ?? this.usage;
    const out: ChatChunk[] = [];
    const pieces = candidates(data);
    if (pieces.length === 0 && promptBlocked(data) && this.states.size === 0) {
      this.states.set(0, { tools: 0, finished: true });
      return [this.make.role(), this.make.finish('content_filter')];
    }
    for (const piece of pieces) {
      let state = this.states.get(piece.index);
      if (state === undefined) {
        state = { tools: 0, finished: false };
        this.states.set(piece.index, state);
        out.push(this.make.role(piece.index));
      }
      if (piece.text !== '') out.push(this.make.text(piece.text, piece.index));
      for (const call of piece.calls)
        out.push(
          this.make.tool(
            { index: state.tools++, id: call.id, type: 'function', function: call.function },
            piece.index,
          ),
        );
      if (piece.finish !== undefined && !state.finished) {
        state.finished = true;
        out.push(this.make.finish(finishReason(piece.finish, state.tools > 0), piece.index));
      }
    }
    return out;
  }

  end(): ChatChunk[] {
    const finished = [...this.states.values()].some((s) => s.finished);
    if (!finished)
      throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', { reason: 'the stream ended before a finish reason' });
    return this.usage === undefined ? [] : [this.make.usage(this.usage)];
  }
}
