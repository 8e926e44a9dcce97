/**
 * Building canonical stream chunks (OpenAI `chat.completion.chunk`) from a native stream. Every chunk of
 * one response carries the same id, created and model; the shapes follow what OpenAI sends: a first chunk
 * with the role, content and tool-call deltas, a chunk with the finish reason and an empty delta, and a
 * last chunk with `choices: []` and the usage (as with `stream_options.include_usage`, which the endpoint
 * drops when the caller did not ask for it).
 */
import { randomBase64url } from '../../../core/random-id.js';
import type { ChatChunk, FinishReason, StreamIds, ToolCallDelta, Usage } from '../../types.js';

export class ChunkMaker {
  private readonly ids: StreamIds;

  constructor(ids: StreamIds) {
    this.ids = ids;
  }

  role(choice = 0): ChatChunk {
    return this.chunk(choice, { role: 'assistant', content: '' }, null);
  }

  text(text: string, choice = 0): ChatChunk {
    return this.chunk(choice, { content: text }, null);
  }

  tool(delta: ToolCallDelta, choice = 0): ChatChunk {
    return this.chunk(choice, { tool_calls: [delta] }, null);
  }

  finish(reason: FinishReason, choice = 0): ChatChunk {
    return this.chunk(choice, {}, reason);
  }

  usage(usage: Usage): ChatChunk {
    return {
      id: this.ids.id,
      object: 'chat.completion.chunk',
      created: this.ids.created,
      model: this.ids.model,
      choices: [],
      usage,
    };
  }

  private chunk(
    index: number,
    delta: ChatChunk['choices'][number]['delta'],
    finish: FinishReason | null,
  ): ChatChunk {
    return {
      id: this.ids.id,
      object: 'chat.completion.chunk',
      created: this.ids.created,
      model: this.ids.model,
      choices: [{ index, delta, finish_reason: finish }],
    };
  }
}

/** Canonical usage from prompt/completion counts (cached tokens are part of the prompt, as in OpenAI's). */
export function usageOf(prompt: number, completion: number, cached?: number): Usage {
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (cached !== undefined && cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  return usage;
}

/**
 * A tool call id for protocols that have none (Gemini without ids, Ollama): `call_` and 16 random
 * base64url characters — unique enough to match results to calls, and valid where ids are checked
 * against `^[a-zA-Z0-9_-]+$` (Anthropic).
 */
export function newToolCallId(): string {
  return `call_${randomBase64url(12)}`;
}
