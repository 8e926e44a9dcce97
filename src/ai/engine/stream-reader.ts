/**
 * Reads a provider stream that has started and yields canonical chunks as they arrive: bytes → events
 * (SSE or NDJSON, src/ai/sse.ts) → the adapter's translator → chunks, one network read at a time, so a
 * token goes out the moment the provider sent it.
 *
 * Usage is normalised here for every provider: usage the provider attaches to content chunks (Mistral's
 * last chunk, servers sending running totals) is taken off them, usage-only chunks are absorbed, and one
 * final chunk `{choices: [], usage}` always ends a complete stream — counted with the tokenizer when the
 * provider sent none. Endpoints forward it or not (OpenAI clients only get it with
 * `stream_options.include_usage`).
 *
 * A stream that breaks (socket cut, idle past the provider's timeout, a malformed event, an error event,
 * or an end before any finish reason) throws KW_ERR_AI_STREAM_BROKEN. Usage is settled however the stream
 * ends — complete, broken, or abandoned by the caller — with what was generated: the call's meter
 * (usage.ts) sees every piece as it is read, so a caller leaving mid-stream is settled at that moment.
 */
import { KeywayError, isKeywayError } from '../../core/errors.js';
import { streamEvents, StreamFramingError } from '../sse.js';
import type { AttemptTarget, ChatChunk, StreamEvent, StreamIds } from '../types.js';
import type { OpenStream } from './upstream.js';
import type { CallMeter } from './usage.js';
import { wholeBody, wholeResponseTranslator } from './whole-response.js';

export async function* readChatStream(
  opened: OpenStream,
  target: AttemptTarget,
  ids: StreamIds,
  meter: CallMeter,
): AsyncGenerator<ChatChunk> {
  const adapter = target.provider.adapter;
  const translator = opened.json ? wholeResponseTranslator(target, ids) : adapter.chatStream(target, ids);
  const events = opened.json ? wholeBody(opened.body) : streamEvents(opened.body, adapter.streamFormat);
  const generated = meter.generated;
  let finished = false;
  let first: ChatChunk | undefined;

  /** Bookkeeping for one translated chunk; returns what the caller should see of it (or nothing). */
  const take = (chunk: ChatChunk): ChatChunk | undefined => {
    if (chunk.usage !== undefined && chunk.usage !== null) meter.reported = chunk.usage;
    for (const c of chunk.choices) {
      if (c.finish_reason !== null && c.finish_reason !== undefined) finished = true;
      const d = c.delta;
      if (typeof d.content === 'string') generated.push(d.content);
      for (const t of d.tool_calls ?? [])
        generated.push((t.function?.name ?? '') + (t.function?.arguments ?? ''));
    }
    // Usage-only chunks (and Azure's content-filter preamble, which has no choices) are not passed on.
    if (chunk.choices.length === 0) return undefined;
    first ??= chunk;
    if (chunk.usage === undefined) return chunk;
    const { usage: _usage, ...rest } = chunk;
    return rest;
  };

  try {
    for (;;) {
      let next: IteratorResult<StreamEvent>;
      try {
        next = await events.next();
      } catch (err) {
        throw broken(bodyReason(err, target.provider.timeoutMs));
      }
      if (next.done === true) break;
      for (const chunk of translate(() => translator.push(next.value))) {
        const out = take(chunk);
        if (out !== undefined) yield out;
      }
    }
    for (const chunk of translate(() => translator.end())) {
      const out = take(chunk);
      if (out !== undefined) yield out;
    }
    if (!finished) throw broken('the provider ended the stream before the response was complete');
    const usage = meter.settle();
    // Undefined only if the meter had no serving target, which a started stream always gives it.
    if (usage === undefined) return;
    yield {
      id: first?.id ?? ids.id,
      object: 'chat.completion.chunk',
      created: first?.created ?? ids.created,
      model: ids.model,
      choices: [],
      usage,
    };
  } finally {
    opened.close();
    meter.settle();
  }
}

function translate(run: () => ChatChunk[]): ChatChunk[] {
  try {
    return run();
  } catch (err) {
    if (isKeywayError(err)) throw err;
    throw broken('the provider sent a malformed event');
  }
}

function broken(reason: string): KeywayError {
  return new KeywayError('KW_ERR_AI_STREAM_BROKEN', { reason });
}

function bodyReason(err: unknown, idleMs: number): string {
  if (err instanceof StreamFramingError) return err.message;
  const code = (err as { code?: unknown }).code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `no data from the provider for ${idleMs} ms`;
  return 'the connection to the provider was cut';
}
