/**
 * Facts a request's handlers leave on its context for later phases: what the limit plugins counted (for
 * the RateLimit headers, src/limits/limit-headers.ts) and what an AI call used (for the call record).
 */

/** What one limit counted for this request: one policy of the RateLimit headers. */
export interface LimitEntry {
  /** Policy name (an sf-string: [A-Za-z0-9._-], so no escaping is needed). */
  name: string;
  limit: number;
  windowS: number;
  remaining: number;
  resetS: number;
  /** `hide_headers`: counted, but not told to the client. */
  hidden: boolean;
  /** `policyItem(name, limit, windowS)` when the producer made it once (compiled limits do). */
  policy?: string;
}

/** AI usage a provider adapter leaves on the request context for the record. */
export interface AiUsage {
  model: string;
  provider: string;
  tokensIn: number;
  tokensOut: number;
  cost?: number;
}
