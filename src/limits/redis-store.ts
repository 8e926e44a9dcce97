/**
 * The Redis CounterStore: counters shared by every node of a cluster (`KEYWAY_REDIS_URL`).
 *
 * Each operation is one script call (redis-scripts.ts), sent as EVALSHA; a server that does not hold the
 * script (restarted, flushed, failed over) answers NOSCRIPT and we send the script once with EVAL, which
 * also caches it again. Keys get TTLs, so idle subjects cost Redis nothing.
 *
 * Failing fast is the point, and failing only when Redis is at fault:
 * - the offline queue is off, so while the connection is down every call rejects at once with
 *   CounterUnavailableError and the plugin applies its policy (fail_open counts locally, fail_closed
 *   answers 503) instead of holding requests;
 * - a command has `commandTimeoutMs` (250 ms) to be answered, counted by a sweeper that does not count
 *   the time our own event loop was stalled (command-deadlines.ts): a healthy Redis whose answers waited
 *   in the socket behind a 300 ms config apply is not taken for a dead one;
 * - a connection that is open but silent (a hung server, packets dropped) would make every limited
 *   request pay the whole timeout (p50 252-282 ms measured): the first command that times out opens a
 *   circuit, and until it closes every call rejects at once, without touching the socket. A PING every
 *   `probeIntervalMs` checks Redis; its answer closes the circuit. Silent for `RECONNECT_AFTER_MS`, the
 *   connection is dropped and made again (a half-open TCP connection never recovers by itself).
 * ioredis keeps reconnecting in the background (capped backoff); once connected, the circuit closes and
 * the next call goes to Redis.
 */
import { createHash } from 'node:crypto';
import { Command, Redis, type RedisOptions } from 'ioredis';
import { CommandDeadlines } from './command-deadlines.js';
import {
  CounterUnavailableError,
  type CounterStore,
  type QuotaDecision,
  type QuotaRule,
  type RateDecision,
  type RateRule,
} from '../pipeline/counter-store.js';
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
  /**
   * A command not answered within this much time of a free event loop counts as Redis being
   * unavailable (default 250 ms).
   */
  commandTimeoutMs?: number;
  /**
   * Whose clock rate limits count by: `server` (default), the Redis server's, one clock for every node
   * however theirs drift; `caller`, the `nowMs` each call passes (tests pin time with it).
   */
  clock?: 'server' | 'caller';
  /** While the circuit is open, Redis is pinged this often (default 250 ms). */
  probeIntervalMs?: number;
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
/** A connection that stays silent this long with the circuit open is dropped and made again. */
const RECONNECT_AFTER_MS = 3_000;

/**
 * What every call gets while the circuit is open: one error, made once. A fail_open request then costs
 * a rejected promise and the local count, no allocation of an Error (and its stack) per request.
 */
const CIRCUIT_OPEN = new CounterUnavailableError('redis: not answering (circuit open, probing)');

export interface RedisStoreStats {
  /** Counter operations sent to Redis (scripts; probes not included). */
  sent: number;
  /** PINGs sent while the circuit was open. */
  probes: number;
  /** Commands (operations and probes) that got no answer in time. */
  timedOut: number;
  /**
   * Operations refused at once, without sending anything, because the circuit was open or the
   * connection down (GuardedCounters does not even call while `unavailable`).
   */
  shortCircuited: number;
  /** The circuit is open now. */
  open: boolean;
}

export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #callerClock: boolean;
  readonly #deadlines: CommandDeadlines;
  readonly #probeIntervalMs: number;
  readonly #report: (state: 'up' | 'down', reason?: string) => void;
  /** The connection is ready (ioredis' 'ready'), and not since closed. */
  #up = false;
  /** The circuit: open after a failure, closed again by an answer (a probe, or a reconnect). */
  #open = false;
  #openedAt = 0;
  #reconnectedAt = 0;
  #probe: NodeJS.Timeout | undefined;
  #closed = false;
  #sent = 0;
  #probes = 0;
  #shortCircuited = 0;

  constructor(opts: RedisStoreOptions) {
    this.#prefix = opts.prefix ?? 'kw:c:';
    this.#callerClock = opts.clock === 'caller';
    this.#deadlines = new CommandDeadlines(opts.commandTimeoutMs ?? 250);
    this.#probeIntervalMs = opts.probeIntervalMs ?? 250;
    const options: RedisOptions = {
      enableOfflineQueue: false,
      connectTimeout: 1_000,
      maxRetriesPerRequest: 0,
      // Reconnect forever, backing off to at most 1 s between attempts.
      retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
    };
    this.#redis = new Redis(opts.url, options);
    this.#report = opts.onStateChange ?? (() => undefined);
    this.#redis.on('ready', () => {
      this.#up = true;
      // Connected and past the ready check (an INFO answered): Redis answers.
      this.#closeCircuit();
    });
    // Without an 'error' listener ioredis would crash the process on a refused connection.
    this.#redis.on('error', (err: Error) => this.#lost(err.message));
    this.#redis.on('close', () => this.#lost('connection closed'));
  }

  /** True while connected and answering (for `/ready` and the status endpoint). */
  get connected(): boolean {
    return this.#up && !this.#open;
  }

  /** Calls would be refused at once now (GuardedCounters then skips the call). */
  get unavailable(): boolean {
    return this.#open || !this.#up;
  }

  stats(): RedisStoreStats {
    return {
      sent: this.#sent,
      probes: this.#probes,
      timedOut: this.#deadlines.expired,
      shortCircuited: this.#shortCircuited,
      open: this.#open,
    };
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
    this.#closed = true;
    this.#up = false;
    clearTimeout(this.#probe);
    this.#deadlines.close();
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
    if (this.#open || !this.#up) {
      this.#shortCircuited++;
      throw CIRCUIT_OPEN;
    }
    try {
      try {
        return toNumbers(await this.#send('evalsha', [s.sha, 1, key, ...args]));
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return toNumbers(await this.#send('eval', [s.text, 1, key, ...args]));
      }
    } catch (err) {
      // Redis answering with an error (a script error) is Redis up; anything else is Redis away.
      if (!isReplyError(err)) this.#trip(err instanceof Error ? err.message : String(err));
      throw new CounterUnavailableError(
        `redis: ${err instanceof Error ? err.message : String(err)}`,
        err instanceof Error ? { cause: err } : undefined,
      );
    }
  }

  /** Sends one command under a deadline (`Redis#evalsha` would arm ioredis' own timer instead). */
  #send(name: string, args: Array<string | number>): Promise<unknown> {
    const cmd = new Command(name, args, { replyEncoding: 'utf8' });
    if (name === 'ping') this.#probes++;
    else this.#sent++;
    const reply = this.#redis.sendCommand(cmd) as Promise<unknown>;
    this.#deadlines.watch(cmd);
    return reply;
  }

  /** The connection closed or failed: calls short-circuit until it is back ('ready'). */
  #lost(reason: string): void {
    const was = this.#up && !this.#open;
    this.#up = false;
    if (was) this.#report('down', reason);
  }

  /** A command failed without Redis answering: open the circuit and start probing. */
  #trip(reason: string): void {
    if (this.#open || this.#closed) return;
    const was = this.#up;
    this.#open = true;
    this.#openedAt = performance.now();
    if (was) this.#report('down', reason);
    this.#scheduleProbe();
  }

  /** Redis answered: calls go to it again. */
  #closeCircuit(): void {
    clearTimeout(this.#probe);
    this.#probe = undefined;
    this.#open = false;
    if (this.#up) this.#report('up');
  }

  #scheduleProbe(): void {
    if (this.#closed) return;
    clearTimeout(this.#probe);
    this.#probe = setTimeout(() => void this.#probeOnce(), this.#probeIntervalMs);
    this.#probe.unref();
  }

  async #probeOnce(): Promise<void> {
    if (!this.#open || this.#closed) return;
    const status = this.#redis.status;
    if (status === 'ready') {
      try {
        await this.#send('ping', []);
        this.#closeCircuit();
        return;
      } catch {
        // Still silent: probe again, and after a while try a fresh connection.
      }
    }
    const now = performance.now();
    if (
      (status === 'ready' || status === 'connect') &&
      now - this.#openedAt >= RECONNECT_AFTER_MS &&
      now - this.#reconnectedAt >= RECONNECT_AFTER_MS
    ) {
      this.#reconnectedAt = now;
      this.#redis.disconnect(true);
    }
    this.#scheduleProbe();
  }
}

/** An error reply from the server (ioredis' ReplyError): Redis answered. */
function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

function quotaTtl(rule: QuotaRule, nowMs: number): number {
  return Math.max(1, Math.ceil(rule.periodEndMs - nowMs) + QUOTA_GRACE_MS);
}

function toNumbers(reply: unknown): number[] {
  if (Array.isArray(reply)) return reply.map((v) => Number(v));
  return [Number(reply)];
}
