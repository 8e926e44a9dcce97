/**
 * A provider asked to stream that answers one JSON response instead (some OpenAI-compatible servers
 * ignore `stream: true`): the body is read whole and replayed as the chunks a stream would have carried
 * — role and content, tool calls, finish reason, usage — so the caller still gets a proper stream.
 */
import { StreamFramingError } from '../sse.js';
import type {
  AttemptTarget,
  ChatChunk,
  ChatResponse,
  StreamEvent,
  StreamIds,
  StreamTranslator,
} from '../types.js';

/** Whole JSON answers are read up to this size; a larger one breaks the stream instead. */
const MAX_WHOLE_BYTES = 16 * 1024 * 1024;

/** The body as one event (its text). */
export async function* wholeBody(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.length;
    if (size > MAX_WHOLE_BYTES)
      throw new StreamFramingError('the provider answered a JSON body larger than the limit');
    parts.push(part);
  }
  yield { event: undefined, data: Buffer.concat(parts).toString('utf8') };
}

/** Reads the one event as the adapter's chat response and replays it as chunks. */
export function wholeResponseTranslator(target: AttemptTarget, ids: StreamIds): StreamTranslator {
  return {
    push: (ev) => responseChunks(target.provider.adapter.chatResponse(JSON.parse(ev.data), target, ids)),
    end: () => [],
  };
}

function responseChunks(res: ChatResponse): ChatChunk[] {
  const base = {
    id: res.id,
    object: 'chat.completion.chunk' as const,
    created: res.created,
    model: res.model,
  };
  const chunks: ChatChunk[] = res.choices.map((c) => ({
    ...base,
    choices: [
      {
        index: c.index,
        delta: {
          role: 'assistant',
          content: c.message.content,
          ...(c.message.tool_calls === undefined
            ? {}
            : {
                tool_calls: c.message.tool_calls.map((t, i) => ({
                  index: i,
                  id: t.id,
                  type: 'function' as const,
                  function: { name: t.function.name, arguments: t.function.arguments },
                })),
              }),
        },
        finish_reason: c.finish_reason ?? 'stop',
      },
    ],
  }));
  if (res.usage !== undefined) chunks.push({ ...base, choices: [], usage: res.usage });
  return chunks;
}
