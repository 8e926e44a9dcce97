/**
 * The Redis CounterStore: counters shared by every node of a cluster (`KEYWAY_REDIS_URL`).
 *
 * Each operation is one script call (redis-scripts.ts), sent as EVALSHA; a server that does not hold the
 * script (restarted, flushed, failed over) answers NOSCRIPT and we send the script once with EVAL, which
 * also caches it again. Keys get TTLs, so idle subjects cost Redis nothing.
 *
 * Failing fast is the point: the offline queue is off and commands time out after `commandTimeoutMs`, so
 * while Redis is away every call rejects at once with CounterUnavailableError and the plugin applies its
 * policy (fail_open counts locally, fail_closed answers 503) instead of holding requests. ioredis keeps
 * reconnecting in the background (capped backoff) and the next call after it is back goes to Redis.
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  CounterUnavailableError,
  type CounterStore,
  type QuotaDecision,
  type QuotaRule,
  type RateDecision,
  type RateRule,
} from './counter-store.js';
import { quotaDecision } from './local-store.js';
import {
  ACQUIRE_SCRIPT,
  CHARGE_QUOTA_SCRIPT,
  CHARGE_RATE_SCRIPT,
  QUOTA_SCRIPT,
  RATE_SCRIPT,
  RELEASE_SCRIPT,
  WINDOW_SCRIPT,
} from './redis-scripts.js';

export interface RedisStoreOptions {
  url: string;
  /** Prepended to every key (default `kw:c:`), so several deployments or tests can share one Redis. */
  prefix?: string;
  /** A command slower than this counts as Redis being unavailable (default 250 ms). */
  commandTimeoutMs?: number;
  /**
   * Whose clock rate limits count by: `server` (default), the Redis server's, one clock for every node
   * however theirs drift; `caller`, the `nowMs` each call passes (tests pin time with it).
   */
  clock?: 'server' | 'caller';
  /** Told when the connection drops or returns (logs). */
  onStateChange?: (state: 'up' | 'down', reason?: string) => void;
}

interface Script {
  text: string;
  sha: string;
}

const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
const RATE = script(RATE_SCRIPT);
const QUOTA = script(QUOTA_SCRIPT);
const ACQUIRE = script(ACQUIRE_SCRIPT);
const RELEASE = script(RELEASE_SCRIPT);
const CHARGE_RATE = script(CHARGE_RATE_SCRIPT);
const CHARGE_QUOTA = script(CHARGE_QUOTA_SCRIPT);
const WINDOW = script(WINDOW_SCRIPT);

/** Quota counters outlive their period by this much, so `usage` can still read the period just ended. */
const QUOTA_GRACE_MS = 86_400_000;

export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #callerClock: boolean;
  #up = false;

  constructor(opts: RedisStoreOptions) {
    this.#prefix = opts.prefix ?? 'kw:c:';
    this.#callerClock = opts.clock === 'caller';
    const options: RedisOptions = {
      enableOfflineQueue: false,
      commandTimeout: opts.commandTimeoutMs ?? 250,
      connectTimeout: 1_000,
      maxRetriesPerRequest: 0,
      // Reconnect forever, backing off to at most 1 s between attempts.
      retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
    };
    this.#redis = new Redis(opts.url, options);
    const report = opts.onStateChange ?? (() => undefined);
    this.#redis.on('ready', () => {
      this.#up = true;
      report('up');
    });
    // Without an 'error' listener ioredis would crash the process on a refused connection.
    this.#redis.on('error', (err: Error) => {
      if (this.#up) report('down', err.message);
      this.#up = false;
    });
    this.#redis.on('close', () => {
      if (this.#up) report('down', 'connection closed');
      this.#up = false;
    });
  }

  /** True while connected (for `/ready` and the status endpoint). */
  get connected(): boolean {
    return this.#up;
  }

  /** Resolves once connected (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 2_000): Promise<void> {
    if (this.#redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CounterUnavailableError('redis not ready')), timeoutMs);
      this.#redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // `nowMs` is ignored unless `clock: 'caller'`: the script reads the Redis server clock.
  consumeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision> {
    return this.#rate(false, key, rule, cost, nowMs);
  }

  chargeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision> {
    return this.#rate(true, key, rule, cost, nowMs);
  }

  async chargeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    const r = await this.#run(CHARGE_QUOTA, this.#quotaKey(key, rule), [cost, quotaTtl(rule, nowMs)]);
    const used = r[0] ?? 0;
    return quotaDecision(used <= rule.limit, rule, used, nowMs);
  }

  async #rate(
    charge: boolean,
    key: string,
    rule: RateRule,
    cost: number,
    nowMs: number,
  ): Promise<RateDecision> {
    const now = this.#callerClock ? nowMs : '';
    const r =
      rule.algorithm === 'sliding-window'
        ? await this.#run(WINDOW, this.#prefix + key, [rule.limit, rule.windowMs, cost, charge ? 1 : 0, now])
        : await this.#run(charge ? CHARGE_RATE : RATE, this.#prefix + key, [
            rule.limit,
            rule.windowMs,
            rule.burst,
            cost,
            now,
          ]);
    return {
      allowed: r[0] === 1,
      limit: rule.limit,
      remaining: r[1] ?? 0,
      resetMs: r[2] ?? 0,
      retryAfterMs: r[3] ?? 0,
    };
  }

  consumeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    return this.#quota(key, rule, cost, nowMs);
  }

  peekQuota(key: string, rule: QuotaRule, nowMs: number): Promise<QuotaDecision> {
    return this.#quota(key, rule, 0, nowMs);
  }

  async acquire(key: string, max: number, ttlMs: number): Promise<boolean> {
    const r = await this.#run(ACQUIRE, this.#prefix + key, [max, ttlMs]);
    return r[0] === 1;
  }

  async release(key: string): Promise<void> {
    await this.#run(RELEASE, this.#prefix + key, []);
  }

  async close(): Promise<void> {
    this.#up = false;
    this.#redis.disconnect(false);
    return Promise.resolve();
  }

  async #quota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    const r = await this.#run(QUOTA, this.#quotaKey(key, rule), [rule.limit, cost, quotaTtl(rule, nowMs)]);
    return quotaDecision(r[0] === 1, rule, r[1] ?? 0, nowMs);
  }

  #quotaKey(key: string, rule: QuotaRule): string {
    return `${this.#prefix}${key}:${rule.periodId}`;
  }

  async #run(s: Script, key: string, args: Array<number | string>): Promise<number[]> {
    try {
      try {
        return toNumbers(await this.#redis.evalsha(s.sha, 1, key, ...args));
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return toNumbers(await this.#redis.eval(s.text, 1, key, ...args));
      }
    } catch (err) {
      throw new CounterUnavailableError(
        `redis: ${err instanceof Error ? err.message : String(err)}`,
        err instanceof Error ? { cause: err } : undefined,
      );
    }
  }
}

function quotaTtl(rule: QuotaRule, nowMs: number): number {
  return Math.max(1, Math.ceil(rule.periodEndMs - nowMs) + QUOTA_GRACE_MS);
}

function toNumbers(reply: unknown): number[] {
  if (Array.isArray(reply)) return reply.map((v) => Number(v));
  return [Number(reply)];
}
