/**
 * The Anthropic Messages API wire format (https://docs.anthropic.com/en/api/messages), as far as Keyway
 * speaks it: the provider adapter (src/ai/providers/anthropic) sends requests of this shape and reads
 * answers and stream events of it; the `/v1/messages` endpoint (src/ai/endpoints/messages.ts) reads
 * requests of it and writes answers and events of it. Fields Keyway does not map are not modelled.
 */

export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export interface TextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
}

export type ImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export interface ImageBlock {
  type: 'image';
  source: ImageSource;
  cache_control?: CacheControl;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<TextBlock | ImageBlock>;
  is_error?: boolean;
}

export type RequestBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock;

export interface RequestMessage {
  /** `system` messages inside `messages` are accepted by recent API versions (Keyway sends none). */
  role: 'user' | 'assistant' | 'system';
  content: string | RequestBlock[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export type ToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface MessagesRequest {
  model: string;
  messages: RequestMessage[];
  max_tokens: number;
  system?: string | TextBlock[];
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  tools?: Tool[];
  tool_choice?: ToolChoice;
  metadata?: { user_id?: string };
  thinking?: Record<string, unknown>;
  service_tier?: string;
  /** Native structured outputs (read at `/v1/messages`; the adapter uses a forced tool instead). */
  output_config?: {
    format?: { type: 'json_schema'; schema: Record<string, unknown> } | null;
    effort?: string | null;
  };
}

/** Blocks of an answer Keyway maps; others (thinking, server tools) are read as `{ type }` and skipped. */
export type ResponseBlock = TextBlock | ToolUseBlock | { type: string };

export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface MessageObject {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** The API's default `anthropic-version`, sent when the provider resource names none. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
