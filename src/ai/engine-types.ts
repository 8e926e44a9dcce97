/**
 * The contracts between the AI gateway's parts, so each can be read (and replaced) alone:
 * - the engine (src/ai/engine) resolves a model, picks a deployment and key, calls the provider through its
 *   adapter with retries and fallbacks, and accounts usage;
 * - the policy (src/ai/policy) decides whether a caller may spend (allow-lists, RPM/TPM, budgets) and is
 *   told what was spent;
 * - the endpoints (src/ai/endpoints) speak HTTP to the caller in OpenAI or Anthropic format.
 */
import type { RequestContext } from '../pipeline/context.js';
import type { AiUsage } from '../pipeline/facts.js';
import type { AiCatalog } from './catalog.js';
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from './types.js';

/** Who served a call, for response headers (`x-keyway-ai-provider`, `x-keyway-ai-model`) and records. */
export interface Served {
  /** What the caller asked for: an alias or `provider/model`. */
  requested: string;
  provider: string;
  /** The provider's model name. */
  model: string;
  /** Attempts made, the successful one included. */
  attempts: number;
}

export type ChatOutcome =
  | { served: Served; response: ChatResponse; stream?: undefined }
  /**
   * A stream that has started (the provider answered 200): chunks arrive as the provider sends them. The
   * iterator throws a KeywayError (KW_ERR_AI_STREAM_BROKEN, …) if the provider's stream breaks mid-way.
   * Chunks with choices never carry usage; a complete stream always ends with one chunk
   * `{choices: [], usage}` (the provider's usage, or counted) — forward it only if the caller asked.
   */
  | { served: Served; stream: AsyncIterable<ChatChunk>; response?: undefined };

export interface AiEngine {
  /**
   * Runs a chat completion. Before any provider call, `policy.admit` runs for the requested model; once the
   * response (or the stream) is complete, usage and cost are left on `ctx.usage` and `policy.settle` runs.
   * Throws a KeywayError when nothing could serve the call (after retries and fallbacks).
   */
  chat(ctx: RequestContext, req: ChatRequest): Promise<ChatOutcome>;
  embeddings(
    ctx: RequestContext,
    req: EmbeddingsRequest,
  ): Promise<{ served: Served; response: EmbeddingsResponse }>;
}

/** What a caller may spend. Implemented in src/ai/policy from the ai-proxy config and the caller's plan. */
export interface AiPolicy {
  /**
   * Throws a KeywayError to refuse: KW_ERR_MODEL_NOT_ALLOWED, KW_ERR_RATE_LIMITED (requests per minute),
   * KW_ERR_TOKEN_LIMIT_EXCEEDED, KW_ERR_BUDGET_EXCEEDED. `promptTokens` is an estimate of the input.
   */
  admit(ctx: RequestContext, model: string, promptTokens: number): Promise<void>;
  /** Charges what the call used (tokens, cost). Never throws, never blocks the response. */
  settle(ctx: RequestContext, usage: AiUsage): void;
  /** Whether `GET /v1/models` lists this model (alias or `provider/model`) to this caller. */
  visible(ctx: RequestContext, model: string): boolean;
}

/** Everything an AI endpoint needs, built once per ai-proxy plugin config and snapshot. */
export interface AiGateway {
  catalog: AiCatalog;
  engine: AiEngine;
  policy: AiPolicy;
  /** Largest request body accepted, bytes. */
  maxBodyBytes: number;
}
