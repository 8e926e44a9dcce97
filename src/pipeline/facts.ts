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

/**
 * One access decision of the authorize phase (subscription, scope, role, attribute rule, IP rule): what a
 * denial's call record names and `keyway explain` prints. A rule in shadow mode leaves `effect: 'shadow'`
 * and lets the request through. Never holds a credential or any other secret.
 */
export interface AccessDecision {
  /** What decided, stable for filtering: `subscription`, `scope`, `role`, `rule:<name>`, `ip:<level>`. */
  check: string;
  /** `deny`: the request was refused; `shadow`: it would have been (the check runs log-only). */
  effect: 'deny' | 'shadow';
  /** Why, in words an operator reads (no secret, no credential). */
  reason: string;
}
