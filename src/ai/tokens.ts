/**
 * Token counts when a provider reports none (some OpenAI-compatible servers, a stream cut short), and the
 * cheap estimate limits use before a call. Counting uses `gpt-tokenizer` (o200k_base, the encoding of
 * current OpenAI models; other providers' tokenizers differ by a few percent, which is what an estimate
 * is). The tokenizer's tables are ~2 MB, so it is loaded on first use only.
 */
import type { ChatRequest } from './types.js';

let tokenizer: Promise<{ countTokens(text: string): number }> | undefined;

/** Tokens in `text`, counted with the tokenizer. */
export async function countTokens(text: string): Promise<number> {
  if (text === '') return 0;
  tokenizer ??= import('gpt-tokenizer');
  return (await tokenizer).countTokens(text);
}

/** A quick upper-side estimate (no tokenizer): ~4 characters per token plus per-message overhead. */
export function estimateTokens(chars: number, messages = 0): number {
  return Math.ceil(chars / 4) + messages * 4;
}

/** The text a chat request sends as its prompt: message contents, tool definitions. */
export function promptText(req: ChatRequest): string {
  let out = '';
  for (const m of req.messages) {
    if (typeof m.content === 'string') out += m.content + '\n';
    else if (Array.isArray(m.content)) for (const p of m.content) if (p.type === 'text') out += p.text + '\n';
    for (const t of m.tool_calls ?? []) out += t.function.name + t.function.arguments + '\n';
  }
  if (req.tools !== undefined) out += JSON.stringify(req.tools);
  return out;
}

/** Estimate of a chat request's prompt tokens, for limits checked before the call. */
export function estimatePromptTokens(req: ChatRequest): number {
  return estimateTokens(promptText(req).length, req.messages.length);
}
