/**
 * The per-address throttle of a sign-in (`POST /login` here, the portal's sign-in in src/portal/), beside the per-user lockout (passwords.ts): credential
 * stuffing tries many user names from one address, so no single user's count ever locks. At most
 * `ipMaxFailures` failed logins from one client address (IPv6: its /64, what one subscriber gets) in any
 * `ipWindowMs`; past that the address gets 429 `KW_ERR_ADMIN_LOGIN_THROTTLED` with `Retry-After`.
 *
 * The count is a sliding window in the node's counter store — Redis when configured, so every node sees
 * the same failures — and this node's own counters while that store cannot answer (a login must not
 * depend on Redis being up, and must not stop being throttled when it is down).
 *
 * An attempt takes its unit *before* the password is checked and gives it back on success: a burst of
 * concurrent guesses cannot all pass a check made before any of them has failed.
 */
import type { CounterStore, RateDecision, WindowRule } from '../pipeline/counter-store.js';
import { KeywayError, type ErrorCode } from '../core/errors.js';
import { LocalCounterStore } from '../limits/local-store.js';
import { networkOf } from '../observe/alerts/ip-network.js';

export interface LoginPolicy {
  /** Failed logins in a row before a user is locked out. */
  maxFailures: number;
  /** How long a lockout lasts. */
  lockoutMs: number;
  /** Failed logins from one address within `ipWindowMs` before it is throttled. */
  ipMaxFailures: number;
  ipWindowMs: number;
}

/** The node settings' defaults (`admin.login.*`, src/server/settings.ts). */
export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  maxFailures: 5,
  lockoutMs: 15 * 60_000,
  ipMaxFailures: 20,
  ipWindowMs: 15 * 60_000,
};

export interface LoginAttempt {
  /** The attempt failed: its unit stays counted. */
  failed(): void;
  /** The attempt succeeded: its unit is given back (only failures count). */
  succeeded(): Promise<void>;
}

/** Failed sign-ins counted per client address (IPv6: its /64) in a sliding window; see the top of this file. */
export class AddressThrottle {
  readonly #shared: CounterStore | undefined;
  readonly #local: LocalCounterStore;
  readonly #rule: WindowRule;
  readonly #now: () => number;
  readonly #scope: string;
  readonly #code: ErrorCode;

  constructor(opts: {
    shared?: CounterStore;
    /** Failures allowed from one address within `windowMs`. */
    limit: number;
    windowMs: number;
    now?: () => number;
    /** Keeps the counts of different sign-ins apart in a shared store (`admin-login`, `portal-login`). */
    scope: string;
    /** The 429 the throttled address gets. */
    code: ErrorCode;
  }) {
    this.#shared = opts.shared;
    this.#now = opts.now ?? Date.now;
    this.#local = new LocalCounterStore({ now: this.#now });
    this.#rule = { algorithm: 'sliding-window', limit: opts.limit, windowMs: opts.windowMs };
    this.#scope = opts.scope;
    this.#code = opts.code;
  }

  /** Takes one unit for `ip`, or throws the 429 (`code`) with Retry-After. */
  async begin(ip: string): Promise<LoginAttempt> {
    const key = `${this.#scope}:${networkOf(ip, 32, 64) ?? ip}`;
    const decision = await this.#take(key, 1);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new KeywayError(
        this.#code,
        { seconds: String(seconds) },
        { headers: { 'retry-after': String(seconds) } },
      );
    }
    return {
      failed: () => undefined,
      succeeded: async () => {
        await this.#take(key, -1);
      },
    };
  }

  async #take(key: string, cost: number): Promise<RateDecision> {
    const now = this.#now();
    const shared = this.#shared;
    if (shared !== undefined && shared !== this.#local && shared.unavailable !== true) {
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

/** The admin API's `POST /login` throttle, by the node's `admin.login.*` settings. */
export class LoginThrottle extends AddressThrottle {
  constructor(opts: { shared?: CounterStore; policy: LoginPolicy; now?: () => number }) {
    super({
      ...(opts.shared === undefined ? {} : { shared: opts.shared }),
      ...(opts.now === undefined ? {} : { now: opts.now }),
      limit: opts.policy.ipMaxFailures,
      windowMs: opts.policy.ipWindowMs,
      scope: 'admin-login',
      code: 'KW_ERR_ADMIN_LOGIN_THROTTLED',
    });
  }
}
