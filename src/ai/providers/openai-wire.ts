/**
 * The OpenAI Chat Completions / Embeddings wire format, shared by every provider that speaks it (OpenAI,
 * Azure OpenAI, Mistral, OpenAI-compatible servers: vLLM, LM Studio, Together, Groq, OpenRouter…). Keyway's
 * canonical format *is* this one, so the family adapters differ only in URL, authentication and a few
 * request fields; each states those as options and shares the rest:
 *
 * - requests carry every field the caller sent (the provider understands them), with `model` replaced by
 *   the deployment's and, on streams, `stream_options.include_usage` forced on so usage is always reported
 *   (the caller only gets the usage chunk if it asked: the endpoint decides);
 * - responses and chunks keep the provider's ids; `model` becomes what the caller asked for (the
 *   response headers say which deployment served);
 * - error answers become ProviderFailure with Retry-After / retry-after-ms honoured.
 */
import { KeywayError } from '../../core/errors.js';
import { classifyFailure } from './common/failure.js';
import type { AiProviderType } from '../../model/ai-provider.js';
import { sanitize } from '../engine/errors.js';
import type {
  AttemptTarget,
  ChatChunk,
  ChatRequest,
  ChatResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  FinishReason,
  ProviderAdapter,
  ProviderFailure,
  StreamEvent,
  StreamTranslator,
  UpstreamCall,
} from '../types.js';

export interface OpenAiWireOptions {
  type: AiProviderType;
  defaultBaseUrl: string | undefined;
  /** Full URL of an operation (`chat/completions`, `embeddings`) for a deployment. */
  url(target: AttemptTarget, operation: 'chat/completions' | 'embeddings'): string;
  /** Authentication headers for the key (none when the provider needs no key). */
  auth(key: string | undefined): Record<string, string>;
  /** Provider-specific changes to the outgoing chat body (already a copy: mutate freely). */
  chatBody?(body: Record<string, unknown>, req: ChatRequest, target: AttemptTarget): void;
  /** Provider-specific changes to the outgoing embeddings body. */
  embeddingsBody?(body: Record<string, unknown>, target: AttemptTarget): void;
  /** Provider finish reasons outside OpenAI's set, mapped onto it. */
  finishReasons?: Readonly<Record<string, FinishReason>>;
}

export function openAiWireAdapter(opts: OpenAiWireOptions): ProviderAdapter {
  const finish = (reason: unknown): FinishReason | null => mapFinish(reason, opts.finishReasons);
  return {
    type: opts.type,
    streamFormat: 'sse',
    defaultBaseUrl: opts.defaultBaseUrl,

    chatRequest(req, target): UpstreamCall {
      const body: Record<string, unknown> = { ...req, model: target.model };
      if (req.stream === true) body.stream_options = { ...req.stream_options, include_usage: true };
      else delete body.stream_options;
      opts.chatBody?.(body, req, target);
      return post(
        opts.url(target, 'chat/completions'),
        target,
        opts.auth(target.key),
        body,
        req.stream === true,
      );
    },

    chatResponse(raw, _target, ids): ChatResponse {
      const body = objectOf(raw);
      if (!Array.isArray(body.choices)) throw new Error('chat response without choices');
      const choices = (body.choices as unknown[]).map((c, i) => {
        const choice = objectOf(c);
        const message = objectOf(choice.message);
        return {
          ...choice,
          index: typeof choice.index === 'number' ? choice.index : i,
          message: { ...message, role: 'assistant' as const, content: textOf(message.content) },
          finish_reason: finish(choice.finish_reason),
        };
      });
      return {
        ...body,
        id: nonEmpty(body.id) ?? ids.id,
        object: 'chat.completion',
        created: positive(body.created) ?? ids.created,
        model: ids.model,
        choices,
      };
    },

    chatStream(target, ids): StreamTranslator {
      return {
        push(ev: StreamEvent): ChatChunk[] {
          const data = ev.data.trim();
          if (data === '[DONE]' || data === '') return [];
          const chunk = objectOf(JSON.parse(data) as unknown);
          if (chunk.error !== undefined) {
            const message = objectOf(chunk.error).message;
            throw new KeywayError('KW_ERR_AI_STREAM_BROKEN', {
              reason: `the provider reported an error: ${sanitize(typeof message === 'string' ? message : 'unknown error', target)}`,
            });
          }
          const choices = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : [];
          return [
            {
              ...chunk,
              id: nonEmpty(chunk.id) ?? ids.id,
              object: 'chat.completion.chunk',
              created: positive(chunk.created) ?? ids.created,
              model: ids.model,
              choices: choices.map((c, i) => {
                const choice = objectOf(c);
                const delta = objectOf(choice.delta);
                if (delta.content !== undefined && delta.content !== null)
                  delta.content = textOf(delta.content);
                return {
                  ...choice,
                  index: typeof choice.index === 'number' ? choice.index : i,
                  delta,
                  finish_reason: finish(choice.finish_reason),
                };
              }),
            },
          ];
        },
        end: () => [],
      };
    },

    embeddingsRequest(req: EmbeddingsRequest, target): UpstreamCall {
      const body: Record<string, unknown> = { ...req, model: target.model };
      opts.embeddingsBody?.(body, target);
      return post(opts.url(target, 'embeddings'), target, opts.auth(target.key), body, false);
    },

    embeddingsResponse(raw, _target, model): EmbeddingsResponse {
      const body = objectOf(raw);
      if (!Array.isArray(body.data)) throw new Error('embeddings response without data');
      return { ...body, object: 'list', model } as EmbeddingsResponse;
    },

    failure: openAiFailure,
  };
}

function post(
  url: string,
  target: AttemptTarget,
  auth: Record<string, string>,
  body: Record<string, unknown>,
  stream: boolean,
): UpstreamCall {
  return {
    method: 'POST',
    url,
    // Configured headers first: they may add (organisation, project) but never replace the credential.
    headers: {
      ...target.provider.headers,
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...auth,
    },
    body: JSON.stringify(body),
  };
}

/**
 * An OpenAI-style error answer (`{"error":{"message","type","code"}}`; also Mistral's `{"message"}` and
 * FastAPI's `{"detail"}`) as a ProviderFailure, classified like every provider's (providers/common/failure.ts:
 * 401/403/429 cool the key, 408/5xx retry, other 4xx — 404 included — go back to the caller at once).
 * OpenAI documents 409 as "conflict, retry": retried like a 5xx.
 */
export function openAiFailure(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): ProviderFailure {
  return classifyFailure(status === 409 ? 500 : status, errorMessage(body) ?? '', headers);
}

function errorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.slice(0, 512);
  const b = objectOf(body);
  const error = b.error;
  if (typeof error === 'string') return error;
  const nested = objectOf(error).message;
  if (typeof nested === 'string') return nested;
  if (typeof b.message === 'string') return b.message;
  if (typeof b.detail === 'string') return b.detail;
  if (Array.isArray(b.detail))
    return (b.detail as unknown[])
      .map((d) => {
        const item = objectOf(d);
        const loc = Array.isArray(item.loc) ? (item.loc as unknown[]).join('.') : '';
        return `${loc}${loc === '' ? '' : ': '}${typeof item.msg === 'string' ? item.msg : 'invalid'}`;
      })
      .join('; ');
  return undefined;
}

const OPENAI_FINISH = new Set<string>(['stop', 'length', 'tool_calls', 'content_filter']);

function mapFinish(
  reason: unknown,
  extra: Readonly<Record<string, FinishReason>> | undefined,
): FinishReason | null {
  if (typeof reason !== 'string') return null;
  if (OPENAI_FINISH.has(reason)) return reason as FinishReason;
  // The legacy `function_call` reason is a tool call; anything unknown ended normally.
  if (reason === 'function_call') return 'tool_calls';
  return extra?.[reason] ?? 'stop';
}

/**
 * Message content as text: some providers (Mistral's reasoning models) answer with an array of typed
 * parts; the text parts are what an OpenAI client expects in `content`.
 */
function textOf(content: unknown): string | null {
  if (typeof content === 'string' || content === null || content === undefined) return content ?? null;
  if (Array.isArray(content))
    return (content as unknown[])
      .map((p) => {
        const part = objectOf(p);
        return part.type === 'text' && typeof part.text === 'string' ? part.text : '';
      })
      .join('');
  return null;
}

function objectOf(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Azure's content-filter preamble chunk carries `"id": ""` and `"created": 0`: those are no ids. */
function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && v > 0 ? v : undefined;
}
