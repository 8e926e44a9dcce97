/**
 * The sliding window of rate limits: **at most `limit` units in any interval of `windowMs`**, wherever
 * it starts, and all of them at once if they come at once. What a client of Kong, Stripe or Cloudflare
 * expects from "3 per 10 s": 3 pass together, the 4th gets 429 with Retry-After until the first of the 3
 * is 10 s old, and no 10 s ever holds 4. The Redis script WINDOW_SCRIPT (redis-scripts.ts) mirrors this
 * file step for step; src/limits/sliding-window.test.ts runs the same assertions on both.
 *
 * Why not GCRA (gcra.ts) with a burst of `limit`: it admits `limit` at once *and* refills at `limit`
 * per window, so a window can hold 2 × limit − 1. Why not the two-counter "sliding window counter"
 * (Cloudflare's): it assumes the previous window's units were spread evenly; units bunched at its end
 * let up to 2 × limit through. Both are approximations in the direction users notice.
 *
 * The state is a log of when units were taken, in **chunks**: a chunk is (units, time of its newest
 * unit); a chunk's units all leave the window together, `windowMs` after that time. With up to
 * WINDOW_CHUNKS units per window each chunk is one moment (units taken at the same millisecond share
 * one), so the log is exact. Above that, a chunk takes units until it holds ceil(limit / WINDOW_CHUNKS)
 * and its older units are kept as long as its newest: the count is never under the truth (the limit is
 * never exceeded) and at most one chunk minus one unit over it — a caller always gets at least
 * limit − ceil(limit / 128) + 1 (99.2 %) in any window. Memory: at most 128 chunks per key, whatever
 * the limit; a key with a few units holds a few.
 *
 * Hot path: one ring of numbers per key, changed in place; no allocation per request but the decision.
 */
import type { RateDecision, WindowRule } from '../pipeline/counter-store.js';

/** Most chunks one key keeps. At or below this many units per window the log is exact. */
export const WINDOW_CHUNKS = 128;

/** Units a chunk collects before the next one starts (1 when the log can be exact). */
export function chunkUnits(limit: number): number {
  return Math.ceil(limit / WINDOW_CHUNKS);
}

/** One key's log: a ring of [units, time] pairs, oldest first. */
export class WindowLog {
  buf = new Float64Array(4);
  /** Index of the oldest chunk. */
  head = 0;
  /** Chunks held. */
  len = 0;
  /** Units held: the sum of the chunks. */
  used = 0;

  /** Time of the newest unit (only when `len > 0`). */
  get newest(): number {
    return this.buf[this.#at(this.len - 1) + 1];
  }

  /** Offset in `buf` of the `n`-th chunk from the oldest. */
  #at(n: number): number {
    const cap = this.buf.length >> 1;
    const i = this.head + n;
    return (i < cap ? i : i - cap) << 1;
  }

  /** Forgets the chunks whose newest unit is at or before `cutoff` (they have left the window). */
  expire(cutoff: number): void {
    const buf = this.buf;
    const cap = buf.length >> 1;
    while (this.len > 0) {
      const i = this.head << 1;
      if (buf[i + 1] > cutoff) return;
      this.used -= buf[i];
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.len--;
    }
  }

  /** Adds `units` taken at `now`. */
  take(units: number, now: number, perChunk: number): void {
    this.used += units;
    if (this.len > 0) {
      const i = this.#at(this.len - 1);
      const buf = this.buf;
      const t = buf[i + 1];
      // Same moment (or a clock that stepped back): no loss. A chunk not yet full: bounded loss (file
      // comment). Every chunk in use — only past the limit, by chargeRate — the newest takes the rest.
      if (t >= now || buf[i] < perChunk || this.len >= WINDOW_CHUNKS) {
        buf[i] = buf[i] + units;
        if (now > t) buf[i + 1] = now;
        return;
      }
    }
    if (this.len << 1 === this.buf.length) this.#grow();
    const i = this.#at(this.len);
    this.buf[i] = units;
    this.buf[i + 1] = now;
    this.len++;
  }

  /** Gives back `units`, newest first: a refund follows the take it undoes. */
  giveBack(units: number): void {
    const buf = this.buf;
    while (units > 0 && this.len > 0) {
      const i = this.#at(this.len - 1);
      const held = buf[i];
      if (held > units) {
        buf[i] = held - units;
        this.used -= units;
        return;
      }
      units -= held;
      this.used -= held;
      this.len--;
    }
  }

  /** Milliseconds from `now` until `units` have left the window (0 when none are held). */
  waitMs(units: number, now: number, windowMs: number): number {
    if (this.len === 0) return 0;
    let freed = 0;
    for (let n = 0; n < this.len; n++) {
      const i = this.#at(n);
      freed += this.buf[i];
      if (freed >= units) return this.buf[i + 1] + windowMs - now;
    }
    return this.newest + windowMs - now;
  }

  /** Chunks double as a key gets busier, up to WINDOW_CHUNKS: a quiet key stays small. */
  #grow(): void {
    const next = new Float64Array(Math.min(this.buf.length * 2, WINDOW_CHUNKS * 2));
    for (let n = 0; n < this.len; n++) {
      const i = this.#at(n);
      next[n << 1] = this.buf[i];
      next[(n << 1) + 1] = this.buf[i + 1];
    }
    this.buf = next;
    this.head = 0;
  }
}

/**
 * Takes `cost` units (refused, taking nothing, if they do not fit — unless `charge`, which takes them
 * anyway and leaves the key owing), reads (0) or gives back (negative) at `now`. `log` is changed in
 * place; expired chunks are dropped first.
 */
export function slidingWindow(
  log: WindowLog,
  rule: WindowRule,
  cost: number,
  now: number,
  charge: boolean,
): RateDecision {
  const limit = rule.limit;
  const windowMs = rule.windowMs;
  log.expire(now - windowMs);
  if (cost > 0) {
    if (!charge && log.used + cost > limit) {
      const wait = log.waitMs(log.used + cost - limit, now, windowMs);
      return {
        allowed: false,
        limit,
        remaining: Math.max(0, limit - log.used),
        resetMs: resetMs(log, limit, now, windowMs),
        retryAfterMs: wait,
      };
    }
    log.take(cost, now, chunkUnits(limit));
  } else if (cost < 0) log.giveBack(-cost);
  const used = log.used;
  return {
    allowed: used <= limit,
    limit,
    remaining: used < limit ? limit - used : 0,
    resetMs: resetMs(log, limit, now, windowMs),
    // A charge says when one more unit could be taken; an admitted request, like GCRA's, says 0.
    retryAfterMs: charge && used + 1 > limit ? log.waitMs(used + 1 - limit, now, windowMs) : 0,
  };
}

/** A key that holds nothing: the whole limit is there. */
export function idleWindow(rule: WindowRule): RateDecision {
  return { allowed: true, limit: rule.limit, remaining: rule.limit, resetMs: 0, retryAfterMs: 0 };
}

/** RateLimit `t`: until `remaining` grows (draft-ietf-httpapi-ratelimit-headers-10: "additional quota"). */
function resetMs(log: WindowLog, limit: number, now: number, windowMs: number): number {
  const used = log.used;
  if (used === 0) return 0;
  return log.waitMs(used < limit ? 1 : used - limit + 1, now, windowMs);
}
