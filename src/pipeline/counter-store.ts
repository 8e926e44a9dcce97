/**
 * The contract between limit plugins and where their counts live. Three implementations share it:
 * in-process (one node, embedded default), the cluster primary over IPC (`keyway start --workers N`),
 * and Redis with atomic Lua scripts (many nodes). Plugins never know which one they talk to.
 *
 * Every method is atomic for its key: two nodes consuming from the same key at once can never both get
 * the last unit. Keys are built by the caller and already namespaced (workspace, plugin, limit, subject).
 */

/**
 * A rate, counted by one of two algorithms (every store implements both, with the same arithmetic):
 * - a sliding window (src/limits/sliding-window.ts): at most `limit` units in any `windowMs`, all of them at once if
 *   they come at once. What the `rate-limit` plugin and rolling quotas count with.
 * - GCRA (src/limits/gcra.ts): a bucket of `burst + 1` units refilled at `limit` per `windowMs`, for budgets that
 *   are a rate plus an allowance (unknown API keys per IP, AI tokens per minute).
 */
export type RateRule = WindowRule | GcraRule;

/** At most `limit` units in any interval of `windowMs`. */
export interface WindowRule {
  readonly algorithm: 'sliding-window';
  limit: number;
  windowMs: number;
}

/** `limit` units per `windowMs` at the steady rate, with room for `burst` extra units at once. */
export interface GcraRule {
  readonly algorithm?: 'gcra';
  limit: number;
  windowMs: number;
  /** Extra units that may arrive at once above the steady rate (0 = none). */
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Units per window of the rule (for RateLimit-Policy / X-RateLimit-Limit). */
  limit: number;
  /** Units still available right now. */
  remaining: number;
  /**
   * RateLimit `t`: milliseconds until more units are available than now (a sliding window: until its
   * oldest unit leaves it; GCRA: until the bucket is full again). 0 when nothing is counted.
   */
  resetMs: number;
  /** Milliseconds until a request of this cost would be allowed (0 when allowed; Retry-After). */
  retryAfterMs: number;
}

/** A quota: `limit` units per period; the period (calendar day/month in a time zone, or rolling) is the caller's. */
export interface QuotaRule {
  limit: number;
  /** Identifies the current period, e.g. `2026-11` or `2026-11-28`; a new id starts from zero. */
  periodId: string;
  /** When the current period ends (epoch ms), for reset headers and for expiring the counter. */
  periodEndMs: number;
}

export interface QuotaDecision {
  allowed: boolean;
  limit: number;
  used: number;
  remaining: number;
  resetMs: number;
}

export interface CounterStore {
  readonly kind: 'local' | 'primary' | 'redis';
  /**
   * True while the store knows it cannot answer (Redis' circuit is open, or its connection is down): a
   * limit then takes its fail_open/fail_closed path without calling it. Absent: always try.
   */
  readonly unavailable?: boolean;
  /** Takes `cost` units from a rate bucket; a refused request takes nothing. */
  consumeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision>;
  /** Takes `cost` units from a quota; a refused request takes nothing. */
  consumeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision>;
  /** Reads a quota without consuming (admin API `usage`). */
  peekQuota(key: string, rule: QuotaRule, nowMs: number): Promise<QuotaDecision>;
  /**
   * Takes `cost` units from a rate bucket unconditionally, past the limit if need be: the bucket then
   * owes units and later calls wait until they are paid back. For what is only known after the fact
   * (the tokens an AI call used). `allowed` says whether the bucket was still within its limit after the
   * charge; `retryAfterMs` is how long until one unit can be taken again.
   */
  chargeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision>;
  /**
   * Adds `cost` units to a quota unconditionally (spend known after the call). `used` is the total
   * after the charge, so `used - cost` is what it was just before — exactly, since the charge is atomic:
   * of many concurrent charges, only one can cross a given threshold. `allowed` is `used <= limit`.
   */
  chargeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision>;
  /** Concurrency: takes one slot if fewer than `max` are held; `release` gives it back. */
  acquire(key: string, max: number, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Raised by a store that cannot answer (Redis down): the plugin then follows its fail_open/fail_closed policy. */
export class CounterUnavailableError extends Error {
  override readonly name = 'CounterUnavailableError';
}

/**
 * A store that can answer in the same tick: this node's in-process counters (src/limits/local-store.ts).
 * Limit plugins call the `…Sync` forms on the embedded hot path (no promise per request), and count there
 * while the shared store is away (`fail_open`).
 */
export interface SyncCounterStore extends CounterStore {
  consumeRateSync(key: string, rule: RateRule, cost: number, nowMs: number): RateDecision;
  consumeQuotaSync(key: string, rule: QuotaRule, cost: number, nowMs: number): QuotaDecision;
  chargeRateSync(key: string, rule: RateRule, cost: number, nowMs: number): RateDecision;
  chargeQuotaSync(key: string, rule: QuotaRule, cost: number, nowMs: number): QuotaDecision;
  acquireSync(key: string, max: number, ttlMs: number): boolean;
  releaseSync(key: string): void;
}
