/**
 * Provider stream framing: turns a response body into events as bytes arrive, with no buffering beyond
 * the event being assembled — an event is handed on the moment its terminating blank line (SSE) or
 * newline (NDJSON) is read, so the first token is never held back waiting for more.
 *
 * SSE parsing is eventsource-parser's (the WHATWG algorithm: `\r\n`/`\r`/`\n` line ends, multi-line
 * `data:`, comments); NDJSON is one JSON value per line (Ollama). Both are bounded: a provider that sends
 * an endless line breaks the stream instead of filling memory.
 */
import { createParser, type ParseError } from 'eventsource-parser';
import type { StreamEvent } from './types.js';

/** Largest event (or NDJSON line) accepted, characters. Provider chunks are a few hundred bytes. */
export const MAX_EVENT_CHARS = 4 * 1024 * 1024;

/** The stream's framing is broken (an oversized event): the caller reports a broken stream. */
export class StreamFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamFramingError';
  }
}

/**
 * Events of `body` in order. Errors of the body itself (a cut socket) propagate as thrown by it; framing
 * problems throw StreamFramingError.
 */
export function streamEvents(
  body: AsyncIterable<Uint8Array | string>,
  format: 'sse' | 'ndjson',
): AsyncGenerator<StreamEvent> {
  return format === 'sse' ? sseEvents(body) : ndjsonEvents(body);
}

async function* sseEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<StreamEvent> {
  const pending: StreamEvent[] = [];
  let failure: ParseError | undefined;
  const parser = createParser({
    onEvent: (e) => pending.push({ event: e.event, data: e.data }),
    // Unknown fields and bad `retry:` values are ignored, as the SSE spec says; only overflow is fatal.
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded') failure = err;
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (failure !== undefined) throw new StreamFramingError('an event is larger than the limit');
    while (pending.length > 0) yield pending.shift() as StreamEvent;
  }
  parser.feed(decoder.decode());
  while (pending.length > 0) yield pending.shift() as StreamEvent;
}

async function* ndjsonEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let partial = '';
  for await (const chunk of body) {
    partial += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = partial.indexOf('\n');
    while (nl !== -1) {
      const line = partial.slice(0, nl).trim();
      partial = partial.slice(nl + 1);
      if (line !== '') yield { event: undefined, data: line };
      nl = partial.indexOf('\n');
    }
    if (partial.length > MAX_EVENT_CHARS) throw new StreamFramingError('a line is larger than the limit');
  }
  const last = (partial + decoder.decode()).trim();
  if (last !== '') yield { event: undefined, data: last };
}
