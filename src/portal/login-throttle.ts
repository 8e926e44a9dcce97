/**
 * The per-address throttle of portal sign-in, beside the per-account lockout (accounts.ts): credential
 * stuffing tries many emails from one address, so no single account's count ever locks. At most
 * `ipMaxFailures` failed sign-ins from one client address (IPv6: its /64) in any `ipWindowMs`; past that
 * the address gets 429 `KW_ERR_PORTAL_LOGIN_THROTTLED` with `Retry-After`.
 *
 * The same approach as the admin login's throttle: a sliding window in the node's counter store (Redis
 * when configured, so every node sees the same failures), this node's own counters while that store
 * cannot answer. An attempt takes its unit before the password is checked and gives it back on
 * success, so a burst of concurrent guesses cannot all pass a check made before any of them failed.
 */
import type { CounterStore, RateDecision, WindowRule } from '../pipeline/counter-store.js';
import { KeywayError } from '../core/errors.js';
import { LocalCounterStore } from '../limits/local-store.js';
import { networkOf } from '../observe/alerts/ip-network.js';

export interface LoginAttempt {
  /** The attempt succeeded: its unit is given back (only failures count). */
  succeeded(): Promise<void>;
}

export class PortalLoginThrottle {
  readonly #shared: CounterStore | undefined;
  readonly #local: LocalCounterStore;
  readonly #rule: WindowRule;
  readonly #now: () => number;

  constructor(opts: { shared?: CounterStore; maxFailures: number; windowMs: number; now: () => number }) {
    this.#shared = opts.shared;
    this.#now = opts.now;
    this.#local = new LocalCounterStore({ now: this.#now });
    this.#rule = { algorithm: 'sliding-window', limit: opts.maxFailures, windowMs: opts.windowMs };
  }

  /** Takes one unit for `ip`, or throws 429 KW_ERR_PORTAL_LOGIN_THROTTLED with Retry-After. */
  async begin(ip: string): Promise<LoginAttempt> {
    const key = `portal-login:${networkOf(ip, 32, 64) ?? ip}`;
    const decision = await this.#take(key, 1);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new KeywayError(
        'KW_ERR_PORTAL_LOGIN_THROTTLED',
        { seconds },
        { headers: { 'retry-after': String(seconds) } },
      );
    }
    return { succeeded: async () => void (await this.#take(key, -1)) };
  }

  async #take(key: string, cost: number): Promise<RateDecision> {
    const now = this.#now();
    const shared = this.#shared;
    if (shared !== undefined && shared.unavailable !== true) {
      try {
        return await shared.consumeRate(key, this.#rule, cost, now);
      } catch {
        // The shared store cannot answer: this node counts alone until it can.
      }
    }
    return this.#local.consumeRateSync(key, this.#rule, cost, now);
  }

  async close(): Promise<void> {
    await this.#local.close();
  }
}
