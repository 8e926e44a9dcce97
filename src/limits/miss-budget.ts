/**
 * A per-client-IP budget for refused API keys: each IP may present `perSecond` bad keys (plus `burst`);
 * past that key-auth answers its bad keys 429 until the budget refills. Only refusals consult it, so a
 * valid key is never held back by its IP (the store is guarded by the resolver's key filter instead).
 *
 * The IP is `ctx.clientIp` (X-Forwarded-For only from trusted proxies), so a client cannot spread its
 * misses over invented addresses. Memory is bounded by the local store's entry cap and idle expiry.
 */
import type { RateRule } from '../pipeline/counter-store.js';
import { LocalCounterStore } from './local-store.js';

export interface MissBudgetOptions {
  perSecond: number;
  burst: number;
  /** Most IPs remembered (default 100,000). */
  maxEntries?: number;
}

export class MissBudget {
  readonly #store: LocalCounterStore;
  readonly #rule: RateRule;

  constructor(opts: MissBudgetOptions) {
    this.#store = new LocalCounterStore({ maxEntries: opts.maxEntries ?? 100_000, sweepMs: 30_000 });
    this.#rule = { limit: opts.perSecond, windowMs: 1000, burst: opts.burst };
  }

  /** Milliseconds until this IP may cause another store lookup; 0 when it may now. */
  waitMs(ip: string, now: number): number {
    // Cost 0 reads the bucket; a lookup is allowed while at least one miss is left to spend.
    const d = this.#store.consumeRateSync(ip, this.#rule, 0, now);
    if (d.remaining >= 1) return 0;
    return Math.max(1, Math.ceil(this.#rule.windowMs / this.#rule.limit));
  }

  /** Records one unknown key from this IP. */
  charge(ip: string, now: number): void {
    this.#store.consumeRateSync(ip, this.#rule, 1, now);
  }

  close(): void {
    void this.#store.close();
  }
}
