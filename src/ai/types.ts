/**
 * The AI gateway's canonical wire types. Inside Keyway every chat call is an OpenAI Chat Completions
 * request/response/chunk (the de-facto common format); each provider adapter (src/ai/providers) maps it
 * to its provider and back, and the Anthropic Messages endpoint (`/v1/messages`) maps callers' requests
 * onto it. Fields Keyway does not model are carried through untouched where the target understands them.
 */
import type { Dispatcher } from 'undici';
import type { AiProviderType } from '../model/ai-provider.js';

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export type ContentPart =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface ToolDef {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string };
    };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  tools?: ToolDef[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  n?: number;
  seed?: number;
  user?: string;
  presence_penalty?: number;
  frequency_penalty?: number;
  [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null };
    finish_reason: FinishReason | null;
    logprobs?: null;
  }>;
  usage?: Usage;
  system_fingerprint?: string;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[] };
    finish_reason: FinishReason | null;
    logprobs?: null;
  }>;
  /** Only on the last chunk (with `choices: []`), as OpenAI sends it with `stream_options.include_usage`. */
  usage?: Usage | null;
}

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** One deployment an attempt goes to, with the credential picked from the provider's pool. */
export interface AttemptTarget {
  provider: CompiledProvider;
  /** The provider's model name. */
  model: string;
  /** The key's plaintext, or undefined for providers that need none (a local Ollama). */
  key: string | undefined;
}

/** An HTTP call an adapter wants made. */
export interface UpstreamCall {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** One event off the provider's stream: an SSE event (`event`, `data`) or, for NDJSON, one line as `data`. */
export interface StreamEvent {
  event: string | undefined;
  data: string;
}

/** Turns one provider's stream into canonical chunks, keeping what it needs across events. */
export interface StreamTranslator {
  push(ev: StreamEvent): ChatChunk[];
  /** The provider's stream ended: whatever is still owed (a final chunk with finish reason and usage). */
  end(): ChatChunk[];
}

/** What an adapter makes of a provider's error answer. */
export interface ProviderFailure {
  /** Status for the caller (the provider's, or 502 when it makes no sense to pass it on). */
  status: number;
  message: string;
  /** Worth another attempt (another key, target or fallback): 429, 5xx, timeouts. */
  retryable: boolean;
  /** The key itself is bad or exhausted (401, 403, 429): cool it down. */
  keyProblem: boolean;
  /** From Retry-After / retry-after-ms, when the provider said. */
  retryAfterMs?: number;
}

/** Identifiers the stream translator stamps on chunks (the same for every chunk of a response). */
export interface StreamIds {
  id: string;
  created: number;
  /** The model name the client sees (what it asked for). */
  model: string;
}

export interface ProviderAdapter {
  readonly type: AiProviderType;
  /** How the provider frames streams. */
  readonly streamFormat: 'sse' | 'ndjson';
  /** Default base URL when the provider resource names none (undefined: base_url is required). */
  readonly defaultBaseUrl: string | undefined;
  chatRequest(req: ChatRequest, target: AttemptTarget): UpstreamCall;
  chatResponse(body: unknown, target: AttemptTarget, ids: StreamIds): ChatResponse;
  chatStream(target: AttemptTarget, ids: StreamIds): StreamTranslator;
  embeddingsRequest?(req: EmbeddingsRequest, target: AttemptTarget): UpstreamCall;
  embeddingsResponse?(body: unknown, target: AttemptTarget, model: string): EmbeddingsResponse;
  /**
   * Where this provider's calls are dispatched instead of the node's connection pool: the mock provider
   * answers in the process. Absent for every real provider.
   */
  readonly dispatcher?: Dispatcher;
  failure(
    status: number,
    body: unknown,
    headers: Record<string, string | string[] | undefined>,
  ): ProviderFailure;
}

/** A provider as compiled into the snapshot: config with defaults, decrypted key pool, prices by model. */
export interface CompiledProvider {
  name: string;
  type: AiProviderType;
  baseUrl: string;
  apiVersion: string | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
  cooldownMs: number;
  adapter: ProviderAdapter;
  /** Plaintext keys in pool order (enabled only); empty for providers that need none. */
  keys: ReadonlyArray<{ id: string; secret: string }>;
  prices: ReadonlyMap<string, { input: number; output: number; cachedInput: number }>;
}
