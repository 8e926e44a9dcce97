/**
 * Wire fixtures of the OpenAI Chat Completions and Embeddings APIs, written from the API reference
 * (https://platform.openai.com/docs/api-reference/chat/object, …/chat/streaming), and the AI route setup
 * the OpenAI-family tests share.
 */
import { CallObserver } from '../../src/observe/call-observer.js';
import type { CallRecord } from '../../src/observe/records/call-record.js';
import { AuthReasons } from '../../src/observe/auth-reasons.js';
import { RecordsById } from '../observe/records-by-id.js';
import type { ResourceTypes } from '../../src/model/index.js';
import type { StreamEntry } from '../helpers/fake-llm.js';
import { state, type Partial } from '../helpers/gateway.js';

export const CREATED = 1_726_000_000;

/** A chat.completion object as OpenAI answers it. */
export function completion(
  content: string | null,
  opts: {
    model?: string;
    finish?: string;
    toolCalls?: Array<{ id: string; name: string; arguments: string }>;
    usage?: { prompt_tokens: number; completion_tokens: number } | null;
  } = {},
): Record<string, unknown> {
  const usage = opts.usage === undefined ? { prompt_tokens: 12, completion_tokens: 5 } : opts.usage;
  return {
    id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    object: 'chat.completion',
    created: CREATED,
    model: opts.model ?? 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(opts.toolCalls === undefined
            ? {}
            : {
                tool_calls: opts.toolCalls.map((t) => ({
                  id: t.id,
                  type: 'function',
                  function: { name: t.name, arguments: t.arguments },
                })),
              }),
        },
        logprobs: null,
        finish_reason: opts.finish ?? (opts.toolCalls === undefined ? 'stop' : 'tool_calls'),
      },
    ],
    ...(usage === null
      ? {}
      : {
          usage: {
            ...usage,
            total_tokens: usage.prompt_tokens + usage.completion_tokens,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
          },
        }),
  };
}

/** One chat.completion.chunk. */
export function chunk(
  delta: Record<string, unknown>,
  finish: string | null = null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  };
}

/** The usage chunk OpenAI sends last with `stream_options.include_usage`. */
export function usageChunk(prompt: number, completionTokens: number): Record<string, unknown> {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completionTokens,
      total_tokens: prompt + completionTokens,
    },
  };
}

/** A text stream: role chunk, one chunk per piece, finish, usage, [DONE]. */
export function textStream(
  pieces: string[],
  usage: [number, number] | null = [9, pieces.length],
): StreamEntry[] {
  return [
    { data: chunk({ role: 'assistant', content: '', refusal: null }) },
    ...pieces.map((p) => ({ data: chunk({ content: p }) })),
    { data: chunk({}, 'stop') },
    ...(usage === null ? [] : [{ data: usageChunk(usage[0], usage[1]) }]),
    { data: '[DONE]' },
  ];
}

export function openAiError(message: string, type = 'invalid_request_error', code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** An AI route on '/', with the given providers, aliases and ai-proxy config. */
export function aiState(
  parts: {
    providers: ResourceTypes['ai_providers'][];
    models?: ResourceTypes['ai_models'][];
    config?: Record<string, unknown>;
  } & Partial,
) {
  const { providers, models, config, ...rest } = parts;
  return state({
    ...rest,
    services: [{ name: 'ai', url: 'ai://gateway' }, ...(rest.services ?? [])],
    routes: [{ name: 'ai', service: 'ai', paths: ['/'] }, ...(rest.routes ?? [])],
    plugins: [{ name: 'ai-proxy', service: 'ai', config: config ?? {} }, ...(rest.plugins ?? [])],
    ai_providers: providers,
    ai_models: models ?? [],
  });
}

/** A call observer keeping records in memory, and a way to wait for one (records land on close). */
export function recording(): {
  observer: CallObserver;
  recordFor(requestId: string): Promise<CallRecord>;
  close(): void;
} {
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  const observer = new CallObserver({
    records: ring,
    metrics: undefined,
    reasons,
    capture: undefined,
    trace: false,
  });
  return {
    observer,
    close: () => reasons.close(),
    recordFor: (requestId) => ring.recordOf(requestId),
  };
}
