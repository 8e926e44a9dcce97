/**
 * The canonical chat completion a native non-streamed answer becomes (Anthropic, Gemini, Ollama): the
 * gateway's ids, assistant choices shaped as OpenAI answers them, and the usage when the provider gave it.
 */
import type { ChatResponse, FinishReason, StreamIds, ToolCall, Usage } from '../../types.js';

type Choice = ChatResponse['choices'][number];

/** An assistant choice. A turn that only called tools has `content: null`, as in OpenAI's answers. */
export function assistantChoice(
  index: number,
  text: string,
  calls: ToolCall[],
  finish: FinishReason,
): Choice {
  return {
    index,
    message: {
      role: 'assistant',
      content: text === '' && calls.length > 0 ? null : text,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    },
    finish_reason: finish,
    logprobs: null,
  };
}

export function chatCompletion(ids: StreamIds, choices: Choice[], usage: Usage | undefined): ChatResponse {
  const response: ChatResponse = {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices,
  };
  if (usage !== undefined) response.usage = usage;
  return response;
}
