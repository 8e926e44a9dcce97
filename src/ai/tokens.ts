/**
 * Token counts when a provider reports none (some OpenAI-compatible servers, a stream cut short), and the
 * cheap estimate limits use before a call. Counting uses `gpt-tokenizer` (o200k_base, the encoding of
 * current OpenAI models; other providers' tokenizers differ by a few percent, which is what an estimate
 * is).
 *
 * Loading the tokenizer's tables blocks the event loop for 200–400 ms (measured: the import alone, on the
 * two-core test machine, plus ~8 ms for the first count's warm-up). Loaded on a request, that stalled every
 * request in flight; so it is loaded by `loadTokenizer`, which the ai-proxy plugin has the node run before
 * a snapshot with an AI route starts serving (src/snapshot/manager.ts), and never while no AI route
 * exists. Counting is then synchronous: usage can be settled in the same turn as the event that ends a
 * call (a client closing its connection), which the call record needs.
 */
import type { ChatRequest } from './types.js';

interface Tokenizer {
  countTokens(text: string): number;
}

let tokenizer: Tokenizer | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the tokenizer once and warms it with one count. Never rejects: if the module cannot load, counts
 * fall back to the character estimate (a number is still better than none).
 */
export function loadTokenizer(): Promise<void> {
  loading ??= import('gpt-tokenizer').then(
    (mod) => {
      mod.countTokens('warm up the encoder');
      tokenizer = mod;
    },
    () => undefined,
  );
  return loading;
}

/** Whether the tokenizer is loaded (counts are exact rather than estimated). */
export function tokenizerLoaded(): boolean {
  return tokenizer !== undefined;
}

/**
 * Tokens in `text`, counted with the tokenizer; the character estimate while it is not loaded (a call
 * served by an engine built outside a node, or a module that failed to load).
 */
export function countTokens(text: string): number {
  if (text === '') return 0;
  if (tokenizer !== undefined) return tokenizer.countTokens(text);
  void loadTokenizer();
  return estimateTokens(text.length);
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
