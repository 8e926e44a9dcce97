/**
 * What a call cost, in USD, from the provider's price table (USD per million tokens; cached input tokens
 * at their own price). Undefined when the model has no price: the record then says "no cost", not 0.
 */
import type { CompiledProvider, Usage } from './types.js';

export function costOf(provider: CompiledProvider, model: string, usage: Usage): number | undefined {
  const price = provider.prices.get(model);
  if (price === undefined) return undefined;
  const cached = Math.min(usage.prompt_tokens_details?.cached_tokens ?? 0, usage.prompt_tokens);
  const fresh = usage.prompt_tokens - cached;
  const usd =
    (fresh * price.input + cached * price.cachedInput + usage.completion_tokens * price.output) / 1e6;
  // Rounded to a micro-dollar: sums stay exact enough and records stay short.
  return Math.round(usd * 1e6) / 1e6;
}
