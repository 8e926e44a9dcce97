/**
 * The Generic Cell Rate Algorithm (ITU-T I.371; the "virtual scheduling" form), shared by the local
 * store and mirrored line for line by the Redis script (redis-scripts.ts).
 *
 * Why GCRA and not windows: a fixed window admits `limit` just before its end and `limit` again just
 * after, 2× in an instant. GCRA keeps one number per key, the theoretical arrival time (TAT) of the next
 * unit, and admits a request only if it would not run ahead of the steady rate by more than the burst
 * tolerance. Consequence, proved by the test: in any interval of length `window` at most
 * `limit + burst` units pass (plus the one at the interval's closed edge), wherever the interval starts.
 */
import type { GcraRule, RateDecision } from '../pipeline/counter-store.js';

export interface GcraResult {
  decision: RateDecision;
  /** The TAT to store (unchanged when refused). */
  tat: number;
}

/**
 * `tat` is the stored TAT or undefined for a fresh key. A `cost` of 0 reads the bucket without
 * consuming (usage reports).
 */
export function gcra(tat: number | undefined, rule: GcraRule, cost: number, now: number): GcraResult {
  // Emission interval: one unit every T ms at the steady rate.
  const t = rule.windowMs / rule.limit;
  // Delay tolerance: how far ahead of the schedule a caller may run (burst units beyond the first).
  const tau = rule.burst * t;
  const base = tat === undefined || tat < now ? now : tat;
  const next = base + cost * t;
  const allowAt = next - tau - t;
  if (allowAt > now) {
    return {
      tat: base,
      decision: {
        allowed: false,
        limit: rule.limit,
        remaining: available(base, now, t, tau),
        resetMs: Math.ceil(base - now),
        retryAfterMs: Math.ceil(allowAt - now),
      },
    };
  }
  return {
    tat: next,
    decision: {
      allowed: true,
      limit: rule.limit,
      remaining: available(next, now, t, tau),
      resetMs: Math.ceil(next - now),
      retryAfterMs: 0,
    },
  };
}

/** Units a caller could still take right now with this TAT. */
function available(tat: number, now: number, t: number, tau: number): number {
  return Math.max(0, Math.floor((now + tau + t - tat) / t + 1e-9));
}

/**
 * Takes `cost` units whatever the bucket holds (the Redis script CHARGE_RATE_SCRIPT mirrors it): the TAT
 * moves `cost` emission intervals ahead even past the tolerance, so the caller owes units and the next
 * `gcra` call is refused until the debt is paid back at the steady rate. `retryAfterMs` is when one unit
 * could be taken again.
 */
export function gcraCharge(tat: number | undefined, rule: GcraRule, cost: number, now: number): GcraResult {
  const t = rule.windowMs / rule.limit;
  const tau = rule.burst * t;
  const base = tat === undefined || tat < now ? now : tat;
  const next = base + cost * t;
  return {
    tat: next,
    decision: {
      allowed: next - tau - t <= now,
      limit: rule.limit,
      remaining: available(next, now, t, tau),
      resetMs: Math.ceil(next - now),
      retryAfterMs: Math.max(0, Math.ceil(next - tau - now)),
    },
  };
}
