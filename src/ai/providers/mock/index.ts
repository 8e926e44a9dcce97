/**
 * `type: mock` — a demo and test provider, not a real one: it needs no key and no network, and answers
 * chat completions (streamed or not) and embeddings deterministically in the OpenAI format, from inside
 * the Keyway process (server.ts, answers.ts). It reports token usage (counted with Keyway's tokenizer), so
 * prices, budgets and call records work, and it fails on request (`mock-error-429`, `mock-error-500`,
 * `mock-error-stream`) so retries and fallbacks can be shown without provider accounts
 * (docs/ai-providers.md).
 *
 * Its simulated failures are about their model, not a key: they cool nothing. A real 429 cools the key
 * (providers/common/failure.ts); with one keyless mock provider that would take every mock model out of
 * service for `cooldown_ms`, and the fallback the failure is meant to show with it.
 */
import type { ProviderAdapter } from '../../types.js';
import { openAiFailure, openAiWireAdapter } from '../openai-wire.js';
import { InProcessProvider } from './server.js';

const wire = openAiWireAdapter({
  type: 'mock',
  // RFC 6761 `.invalid`: a name that never resolves; calls go to the in-process dispatcher anyway.
  defaultBaseUrl: 'http://mock.invalid/v1',
  url: (target, operation) => `${target.provider.baseUrl}/${operation}`,
  auth: (): Record<string, string> => ({}),
});

export const mockAdapter: ProviderAdapter = {
  ...wire,
  dispatcher: new InProcessProvider(),
  failure: (status, body, headers) => ({ ...openAiFailure(status, body, headers), keyProblem: false }),
};
