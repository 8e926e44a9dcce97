/**
 * The in-process CounterStore: the embedded default, and the fallback a `fail_open` limit counts in while
 * Redis is away. Every operation is synchronous underneath (one Map, one thread), which is what makes it
 * atomic; the Promise is only the contract's shape — `*Sync` variants let hot paths skip it.
 *
 * Memory is bounded two ways: an entry that has gone back to its idle state expires (a rate bucket once
 * it is full again, a sliding window once its newest unit has left it, a quota at its period's end, a
 * concurrency slot count after its TTL), swept on a timer; and a hard cap on entries evicts the least
 * recently used beyond it, so a flood of distinct keys (client IPs, header values) cannot grow the map
 * without end.
 */
import {
  type QuotaDecision,
  type QuotaRule,
  type RateDecision,
  type RateRule,
  type SyncCounterStore,
  type WindowRule,
} from '../pipeline/counter-store.js';
import { gcra, gcraCharge } from './gcra.js';
import { idleWindow, slidingWindow, WindowLog } from './sliding-window.js';

interface RateEntry {
  kind: 'rate';
  tat: number;
  expiresAt: number;
}
/** A sliding window (sliding-window.ts), changed in place: no object per request. */
interface WindowEntry {
  kind: 'window';
  log: WindowLog;
  /** When its newest unit leaves the window. */
  expiresAt: number;
  /** When it last moved to the recent end of the map (see RECENCY_MS). */
  movedAt: number;
}

/**
 * A window changed in place needs no `Map.set`; moving it to the recent end (delete + set, ~50 ns, half
 * the cost of a counted request) only keeps eviction least-recently-used. Doing that at most once a
 * second per key keeps eviction in recency order to within a second, for a fraction of the cost.
 */
const RECENCY_MS = 1_000;
interface QuotaEntry {
  kind: 'quota';
  periodId: string;
  used: number;
  expiresAt: number;
}
interface SlotEntry {
  kind: 'slots';
  held: number;
  expiresAt: number;
}
type Entry = RateEntry | WindowEntry | QuotaEntry | SlotEntry;

export interface LocalStoreOptions {
  /** Most keys held (default 1,000,000: about 150 MB in the worst case). */
  maxEntries?: number;
  /** How often idle entries are swept (default 10 s; 0 = never, tests). */
  sweepMs?: number;
  now?: () => number;
}

export class LocalCounterStore implements SyncCounterStore {
  readonly kind = 'local' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: LocalStoreOptions = {}) {
    this.#max = opts.maxEntries ?? 1_000_000;
    this.#now = opts.now ?? Date.now;
    const sweepMs = opts.sweepMs ?? 10_000;
    if (sweepMs > 0) {
      this.#timer = setInterval(() => this.sweep(), sweepMs);
      this.#timer.unref();
    }
  }

  /** Chunks a sliding window keeps for `key` (tests, diagnostics). */
  chunksOf(key: string): number {
    const e = this.#entries.get(key);
    return e?.kind === 'window' ? e.log.len : 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  consumeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision> {
    return Promise.resolve(this.consumeRateSync(key, rule, cost, nowMs));
  }

  consumeRateSync(key: string, rule: RateRule, cost: number, nowMs: number): RateDecision {
    if (rule.algorithm === 'sliding-window') return this.#window(key, rule, cost, nowMs, false);
    const e = this.#get(key, 'rate', nowMs);
    const r = gcra(e?.tat, rule, cost, nowMs);
    // Once `tat` is in the past the bucket is full: the entry says nothing a fresh one would not.
    if (r.tat > nowMs) this.#set(key, { kind: 'rate', tat: r.tat, expiresAt: r.tat });
    return r.decision;
  }

  #window(key: string, rule: WindowRule, cost: number, now: number, charge: boolean): RateDecision {
    let e = this.#get(key, 'window', now);
    if (e === undefined) {
      // A read or a refund of a key holding nothing: nothing to keep.
      if (cost <= 0) return idleWindow(rule);
      e = { kind: 'window', log: new WindowLog(), expiresAt: 0, movedAt: -Infinity };
    }
    const d = slidingWindow(e.log, rule, cost, now, charge);
    if (e.log.len === 0) this.#entries.delete(key);
    else if (cost !== 0) {
      e.expiresAt = e.log.newest + rule.windowMs;
      if (now - e.movedAt >= RECENCY_MS) {
        e.movedAt = now;
        this.#set(key, e);
      }
    }
    return d;
  }

  consumeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    return Promise.resolve(this.consumeQuotaSync(key, rule, cost, nowMs));
  }

  consumeQuotaSync(key: string, rule: QuotaRule, cost: number, nowMs: number): QuotaDecision {
    const e = this.#get(key, 'quota', nowMs);
    const used = e !== undefined && e.periodId === rule.periodId ? e.used : 0;
    const allowed = used + cost <= rule.limit;
    const after = allowed ? used + cost : used;
    if (allowed && cost > 0) {
      this.#set(key, { kind: 'quota', periodId: rule.periodId, used: after, expiresAt: rule.periodEndMs });
    }
    return quotaDecision(allowed, rule, after, nowMs);
  }

  peekQuota(key: string, rule: QuotaRule, nowMs: number): Promise<QuotaDecision> {
    return Promise.resolve(this.consumeQuotaSync(key, rule, 0, nowMs));
  }

  chargeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision> {
    return Promise.resolve(this.chargeRateSync(key, rule, cost, nowMs));
  }

  chargeRateSync(key: string, rule: RateRule, cost: number, nowMs: number): RateDecision {
    if (rule.algorithm === 'sliding-window') return this.#window(key, rule, cost, nowMs, true);
    const e = this.#get(key, 'rate', nowMs);
    const r = gcraCharge(e?.tat, rule, cost, nowMs);
    if (r.tat > nowMs) this.#set(key, { kind: 'rate', tat: r.tat, expiresAt: r.tat });
    // A refund (negative cost) that empties the schedule leaves a full bucket: nothing to keep.
    else if (e !== undefined) this.#entries.delete(key);
    return r.decision;
  }

  chargeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    return Promise.resolve(this.chargeQuotaSync(key, rule, cost, nowMs));
  }

  chargeQuotaSync(key: string, rule: QuotaRule, cost: number, nowMs: number): QuotaDecision {
    const e = this.#get(key, 'quota', nowMs);
    const used = (e !== undefined && e.periodId === rule.periodId ? e.used : 0) + cost;
    if (cost > 0)
      this.#set(key, { kind: 'quota', periodId: rule.periodId, used, expiresAt: rule.periodEndMs });
    return quotaDecision(used <= rule.limit, rule, used, nowMs);
  }

  acquire(key: string, max: number, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.acquireSync(key, max, ttlMs));
  }

  acquireSync(key: string, max: number, ttlMs: number): boolean {
    const now = this.#now();
    const e = this.#get(key, 'slots', now);
    const held = e?.held ?? 0;
    if (held >= max) return false;
    this.#set(key, { kind: 'slots', held: held + 1, expiresAt: now + ttlMs });
    return true;
  }

  release(key: string): Promise<void> {
    this.releaseSync(key);
    return Promise.resolve();
  }

  releaseSync(key: string): void {
    const e = this.#entries.get(key);
    if (e?.kind !== 'slots') return;
    if (e.held <= 1) this.#entries.delete(key);
    else e.held--;
  }

  /** Drops every entry that has gone idle. */
  sweep(now = this.#now()): void {
    for (const [key, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(key);
  }

  close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#entries.clear();
    return Promise.resolve();
  }

  #get<K extends Entry['kind']>(key: string, kind: K, now: number): Extract<Entry, { kind: K }> | undefined {
    const e = this.#entries.get(key);
    if (e === undefined || e.kind !== kind) return undefined;
    if (e.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return e as Extract<Entry, { kind: K }>;
  }

  #set(key: string, e: Entry): void {
    // Delete first so re-insertion moves the key to the end: Map order is then least recently written.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}

export function quotaDecision(allowed: boolean, rule: QuotaRule, used: number, now: number): QuotaDecision {
  return {
    allowed,
    limit: rule.limit,
    used,
    remaining: Math.max(0, rule.limit - used),
    resetMs: Math.max(0, rule.periodEndMs - now),
  };
}
