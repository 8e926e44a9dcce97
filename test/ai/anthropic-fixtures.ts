/**
 * Wire fixtures of the Anthropic Messages API (https://docs.anthropic.com/en/api/messages and
 * …/messages-streaming), as a fake Anthropic provider sends them, for the end-to-end tests.
 */
import type { StreamEntry } from '../helpers/fake-llm.js';

export function anthropicMessage(
  content: Array<Record<string, unknown>>,
  opts: { stop?: string; usage?: Record<string, number>; model?: string } = {},
): Record<string, unknown> {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: opts.model ?? 'claude-sonnet-4-5-20250929',
    content,
    stop_reason: opts.stop ?? (content.some((b) => b['type'] === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: opts.usage ?? {
      input_tokens: 25,
      output_tokens: 9,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

const messageStart = (input: number): StreamEntry => ({
  event: 'message_start',
  data: {
    type: 'message_start',
    message: {
      id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: 1 },
    },
  },
});

/**
 * A streamed text answer: message_start, a text block (a ping after its start, as the API sends),
 * one text_delta per piece, the block's stop, message_delta and message_stop. A gate, when given,
 * holds everything after the first piece.
 */
export function anthropicTextStream(
  pieces: string[],
  opts: { gate?: Promise<unknown>; usage?: [number, number]; stop?: string } = {},
): StreamEntry[] {
  const [input, output] = opts.usage ?? [25, pieces.length];
  const deltas: StreamEntry[] = pieces.map((text) => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
  }));
  if (opts.gate !== undefined) deltas.splice(1, 0, { gate: opts.gate });
  return [
    messageStart(input),
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    { event: 'ping', data: { type: 'ping' } },
    ...deltas,
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: opts.stop ?? 'end_turn', stop_sequence: null },
        usage: { output_tokens: output },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

/** A streamed tool call: a text block, then a tool_use block whose input arrives as JSON pieces. */
export function anthropicToolStream(
  text: string,
  tool: { id: string; name: string; json: string[] },
): StreamEntry[] {
  return [
    messageStart(40),
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'content_block_start',
      data: {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} },
      },
    },
    ...tool.json.map((partial_json) => ({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json } },
    })),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 30 },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

/**
 * The stream's first events, then a cut socket: a provider that died mid-answer. The cut waits for
 * `before` when given (a socket destroyed right after a write may take the unsent write with it).
 */
export function anthropicCutStream(first: string, before?: Promise<unknown>): StreamEntry[] {
  return [
    messageStart(10),
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: first } },
    },
    ...(before === undefined ? [] : [{ gate: before }]),
    { cut: true },
  ];
}

export function anthropicError(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } };
}
