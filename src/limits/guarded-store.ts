/**
 * A limit's view of the counters, with its failure policy applied. The shared store (Redis, or the
 * cluster primary) answers normally; when it throws CounterUnavailableError the limit either counts in
 * this node's local store meanwhile (`fail_open`: traffic keeps flowing, limited per node rather than
 * cluster-wide) or refuses with 503 KW_ERR_LIMITS_UNAVAILABLE (`fail_closed`). When the shared store is
 * back, the next call uses it again: nothing to reset, the local counts simply stop being consulted.
 */
import { KeywayError } from '../core/errors.js';
import type { PluginServices } from '../pipeline/plugin.js';
import {
  CounterUnavailableError,
  type CounterStore,
  type QuotaDecision,
  type QuotaRule,
  type RateDecision,
  type RateRule,
  type SyncCounterStore,
} from '../pipeline/counter-store.js';
import type { FailPolicy } from '../model/limit-schema.js';
import { LocalCounterStore } from './local-store.js';

const SHARED_DOWN = new CounterUnavailableError('shared counters unavailable');

export class GuardedCounters {
  readonly #shared: CounterStore;
  readonly #local: SyncCounterStore;
  readonly #policy: FailPolicy;
  /** Synchronous fast path when the shared store is the local one: no promise per check. */
  readonly sync: SyncCounterStore | undefined;

  constructor(services: PluginServices, policy: FailPolicy) {
    // A node always gives its own (src/limits/node-counters.ts); without one (a config check) nothing is
    // counted for long, so this limit's own store, without a sweep timer to outlive it.
    this.#local = services.localCounters ?? new LocalCounterStore({ sweepMs: 0 });
    this.#shared = services.counters ?? this.#local;
    this.#policy = policy;
    this.sync = this.#shared === this.#local ? this.#local : undefined;
  }

  rate(key: string, rule: RateRule, cost: number, now: number): Promise<RateDecision> {
    // Known down: no call, no closure, no rejection to catch (6 µs → 0.2 µs a request, measured with
    // 100,000 calls against an open circuit).
    if (this.#shared.unavailable === true) {
      if (this.#policy === 'fail_closed') return Promise.reject(this.#refusal(SHARED_DOWN));
      return Promise.resolve(this.#local.consumeRateSync(key, rule, cost, now));
    }
    return this.#shared
      .consumeRate(key, rule, cost, now)
      .catch((err: unknown) => this.#fallback(err, () => this.#local.consumeRateSync(key, rule, cost, now)));
  }

  quota(key: string, rule: QuotaRule, cost: number, now: number): Promise<QuotaDecision> {
    if (this.#shared.unavailable === true) {
      if (this.#policy === 'fail_closed') return Promise.reject(this.#refusal(SHARED_DOWN));
      return Promise.resolve(this.#local.consumeQuotaSync(key, rule, cost, now));
    }
    return this.#shared
      .consumeQuota(key, rule, cost, now)
      .catch((err: unknown) => this.#fallback(err, () => this.#local.consumeQuotaSync(key, rule, cost, now)));
  }

  peekQuota(key: string, rule: QuotaRule, now: number): Promise<QuotaDecision> {
    return this.#shared
      .peekQuota(key, rule, now)
      .catch((err: unknown) => this.#fallback(err, () => this.#local.consumeQuotaSync(key, rule, 0, now)));
  }

  /** Unconditional charges (src/pipeline/counter-store.ts): what an AI call used, known after it. */
  chargeRate(key: string, rule: RateRule, cost: number, now: number): Promise<RateDecision> {
    return this.#shared
      .chargeRate(key, rule, cost, now)
      .catch((err: unknown) => this.#fallback(err, () => this.#local.chargeRateSync(key, rule, cost, now)));
  }

  chargeQuota(key: string, rule: QuotaRule, cost: number, now: number): Promise<QuotaDecision> {
    return this.#shared
      .chargeQuota(key, rule, cost, now)
      .catch((err: unknown) => this.#fallback(err, () => this.#local.chargeQuotaSync(key, rule, cost, now)));
  }

  acquire(key: string, max: number, ttlMs: number): Promise<{ ok: boolean; store: CounterStore }> {
    return this.#shared.acquire(key, max, ttlMs).then(
      (ok) => ({ ok, store: this.#shared }),
      (err: unknown) =>
        this.#fallback(err, () => ({ ok: this.#local.acquireSync(key, max, ttlMs), store: this.#local })),
    );
  }

  #refusal(cause: unknown): KeywayError {
    return new KeywayError('KW_ERR_LIMITS_UNAVAILABLE', {}, { cause });
  }

  #fallback<T>(err: unknown, local: () => T): T {
    if (!(err instanceof CounterUnavailableError)) throw err;
    if (this.#policy === 'fail_closed') throw this.#refusal(err);
    return local();
  }
}
