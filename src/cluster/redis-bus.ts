/**
 * Change events between nodes over Redis pub/sub (one channel, `<prefix>events`).
 *
 * Two connections, because a connection in subscriber mode can run no other command. Both reconnect by
 * themselves forever (capped backoff): a node never gives up on Redis and never crashes because of it.
 * Publishing while Redis is down fails at once instead of queueing: a queued event would arrive late and
 * stale, and the queue would grow without bound during a long outage; the store poll covers the gap.
 * After a reconnect the bus re-subscribes and only then reports a resync, so that nothing published after
 * the resync started can be missed.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '../store/connection.js';
import { decodeEvent, type ChangeBus, type ChangeEvent } from './change-events.js';

/** Reconnect backoff: 50 ms, 100 ms, … capped at 1 s, so a returning Redis is noticed within a second. */
const RECONNECT_CAP_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;

export interface RedisBusOptions {
  url: string;
  /** Namespace of every Redis name Keyway uses (tests give each run its own). */
  prefix: string;
  log: Logger;
}

const MAX_UNSENT = 1_000;

export class RedisChangeBus implements ChangeBus {
  readonly name = 'redis';
  readonly channel: string;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #handlers = new Set<(event: ChangeEvent) => void>();
  readonly #resync = new Set<() => void>();
  readonly #log: Logger;
  readonly #where: string;
  /** Set while the subscriber is away; cleared (and a resync reported) once it is subscribed again. */
  #lost = false;
  #subscribed = false;
  #closed = false;
  /**
   * Events this node could not publish while its own connection was away, sent as soon as it is back:
   * the other nodes may already have resynced (their subscriber can return before this publisher), and
   * would otherwise only learn of these changes at the next store poll. Bounded; past the bound the
   * poll fallback covers what was dropped.
   */
  readonly #unsent: ChangeEvent[] = [];

  constructor(opts: RedisBusOptions) {
    this.channel = `${opts.prefix}events`;
    this.#log = opts.log;
    this.#where = redactUrl(opts.url);
    const common: RedisOptions = {
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 50, RECONNECT_CAP_MS),
      // Commands fail fast while disconnected; nothing on the request path ever waits for Redis here.
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResubscribe: false,
    };
    this.#pub = new Redis(opts.url, { ...common, connectionName: 'keyway-events-pub' });
    this.#sub = new Redis(opts.url, { ...common, connectionName: 'keyway-events-sub' });
    // Without an 'error' listener ioredis prints every failed reconnect to stderr.
    this.#pub.on('error', () => undefined);
    this.#pub.on('ready', () => this.#flushUnsent());
    this.#sub.on('error', (err: Error) => this.#down(err));
    this.#sub.on('close', () => this.#down());
    this.#sub.on('ready', () => void this.#subscribe());
    this.#sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const event = decodeEvent(message);
      if (event === undefined) return;
      for (const h of this.#handlers) h(event);
    });
  }

  /** True while subscribed: events from other nodes arrive. */
  get connected(): boolean {
    return this.#subscribed;
  }

  publish(event: ChangeEvent): void {
    if (this.#closed) return;
    this.#pub.publish(this.channel, JSON.stringify(event)).catch((err: unknown) => {
      this.#log.debug(
        { err: err instanceof Error ? err.message : String(err), event: event.type },
        'change event not published (Redis unavailable); sent when it returns',
      );
      if (this.#unsent.length >= MAX_UNSENT) this.#unsent.shift();
      this.#unsent.push(event);
    });
  }

  #flushUnsent(): void {
    const events = this.#unsent.splice(0);
    for (const event of events) this.publish(event);
  }

  subscribe(handler: (event: ChangeEvent) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  onResync(handler: () => void): void {
    this.#resync.add(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    this.#resync.clear();
    // disconnect(), not quit(): quit waits for a reply that never comes while Redis is down.
    this.#pub.disconnect();
    this.#sub.disconnect();
  }

  async #subscribe(): Promise<void> {
    try {
      await this.#sub.subscribe(this.channel);
    } catch (err) {
      // The connection dropped again in between; the next 'ready' retries.
      this.#down(err instanceof Error ? err : undefined);
      return;
    }
    this.#subscribed = true;
    if (this.#lost) {
      this.#lost = false;
      this.#log.info({ redis: this.#where }, 'change events: Redis reachable again; resyncing');
      for (const h of this.#resync) h();
    }
  }

  #down(err?: Error): void {
    if (this.#closed) return;
    this.#subscribed = false;
    if (!this.#lost) {
      this.#lost = true;
      this.#log.warn(
        { redis: this.#where, err: err?.message },
        'change events: Redis unreachable; falling back to polling the store until it returns',
      );
    }
  }
}
