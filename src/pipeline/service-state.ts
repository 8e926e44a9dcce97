/**
 * What a node keeps of one service across snapshots: its own circuit breaker (besides its targets') and
 * its retry budget. Kept by the node's registry (src/snapshot/upstream-states.ts) by workspace + name.
 */
import { CircuitBreaker, type BreakerPolicy } from './circuit-breaker.js';

export interface RetryPolicy {
  /** Answers worth another attempt (idempotent requests only). */
  statuses: readonly number[];
  /** Full-jitter exponential backoff: attempt n waits a random time in [0, min(max, base·2ⁿ⁻¹)). */
  backoff_ms: number;
  max_backoff_ms: number;
  /** Retries allowed on top of the requests of the last window, in percent of them. */
  budget_percent: number;
  budget_window_ms: number;
  /** Retries always allowed per window, whatever the traffic (a quiet service still gets some). */
  budget_min: number;
  /** An answer's Retry-After is waited for up to this long; a longer one is passed to the client. */
  retry_after_max_ms: number;
}

/**
 * The retry budget (Envoy's and Finagle's idea): retries may add at most `budget_percent` % to the load
 * over a window, so a failing upstream is not hit by a retry storm. Two fixed windows, as the breaker's.
 */
export class RetryBudget {
  /** Requests seen (first attempts), counted by the proxy on every request of the service. */
  requests = 0;
  private retries = 0;
  private prevRequests = 0;
  private start: number;

  constructor(
    public policy: RetryPolicy,
    private readonly now: () => number,
  ) {
    this.start = now();
  }

  /** Takes one retry from the budget if there is one left. */
  take(): boolean {
    const p = this.policy;
    const now = this.now();
    const elapsed = now - this.start;
    if (elapsed >= p.budget_window_ms) {
      // Requests are counted without reading the clock: after a long pause they spread over it all.
      this.prevRequests =
        elapsed >= 2 * p.budget_window_ms
          ? Math.round((this.requests * p.budget_window_ms) / elapsed)
          : this.requests;
      this.requests = 0;
      this.retries = 0;
      this.start = now;
    }
    const allowed = Math.max(
      p.budget_min,
      Math.floor(((this.requests + this.prevRequests) * p.budget_percent) / 100),
    );
    if (this.retries >= allowed) return false;
    this.retries++;
    return true;
  }

  /** Backoff before attempt `attempt` (1 for the first retry), full jitter. */
  backoff(attempt: number, random: () => number = Math.random): number {
    const p = this.policy;
    const cap = Math.min(p.max_backoff_ms, p.backoff_ms * 2 ** Math.min(attempt - 1, 20));
    return Math.floor(random() * cap);
  }
}

export class ServiceState {
  breaker: CircuitBreaker | undefined = undefined;
  budget: RetryBudget;

  constructor(
    readonly workspace: string,
    readonly name: string,
    retry: RetryPolicy,
    private readonly now: () => number,
  ) {
    this.budget = new RetryBudget(retry, now);
  }

  configure(retry: RetryPolicy, breaker: BreakerPolicy | undefined): CircuitBreaker | undefined {
    this.budget.policy = retry;
    if (breaker === undefined) this.breaker = undefined;
    else if (this.breaker === undefined) this.breaker = new CircuitBreaker(breaker, this.now);
    else this.breaker.policy = breaker;
    return this.breaker;
  }
}
