/**
 * Picks a target for each upstream call.
 *
 * - `round-robin`: smooth weighted round-robin (the nginx algorithm: spreads a 5:1:1 weighting as
 *   a a b a c a a, not a a a a a b c).
 * - `least-connections`: the fewest requests in flight from this node per unit of weight; ties (all zero,
 *   as with sequential requests) go round-robin among the tied, not to the first listed.
 * - `consistent-hashing`: a key of the request (consumer, API key, client IP, a header or a cookie) on a
 *   hash ring (./hash-ring.ts); a request without the key goes round-robin.
 *
 * Targets that are not `up` (unhealthy, or refused by their circuit breaker: ./target-state.ts) leave the
 * rotation. When every target is unhealthy, all of them are tried rather than failing every request (the
 * health verdict may be wrong; an answer from a struggling target beats a certain 503), but a target whose
 * breaker is open is never tried: `pick` then returns undefined and the caller answers KW_ERR_CIRCUIT_OPEN.
 * A target that failed this request already (`exclude`) is skipped for its retries.
 */
import { HashRing } from './hash-ring.js';
import type { TargetState } from './target-state.js';

export type { TargetHealth } from './target-state.js';

export interface BalancedTarget {
  /** `host:port` as configured. */
  address: string;
  /** `http://host:port` or `https://host:port`, as undici wants it. */
  origin: string;
  weight: number;
  current: number;
  /** In flight, health, breaker: the node's, kept across snapshots. */
  state: TargetState;
}

export type Algorithm = 'round-robin' | 'least-connections' | 'consistent-hashing';

export class Balancer {
  readonly targets: BalancedTarget[];
  private readonly algorithm: Algorithm;
  private readonly ring: HashRing | undefined;

  constructor(
    protocol: string,
    targets: ReadonlyArray<{ target: string; weight?: number }>,
    algorithm: Algorithm,
    stateOf: (address: string) => TargetState,
  ) {
    this.algorithm = algorithm;
    this.targets = targets
      .filter((t) => (t.weight ?? 100) > 0)
      .map((t) => ({
        address: t.target,
        origin: `${protocol}//${t.target}`,
        weight: t.weight ?? 100,
        current: 0,
        state: stateOf(t.target),
      }));
    this.ring = algorithm === 'consistent-hashing' ? new HashRing(this.targets) : undefined;
  }

  /**
   * Returns undefined when no target may be tried (none configured, all excluded, or every remaining
   * one's breaker open). `hashKey` is the request's key for `consistent-hashing`.
   */
  pick(exclude?: ReadonlySet<BalancedTarget>, hashKey?: string): BalancedTarget | undefined {
    const ts = this.targets;
    if (ts.length === 1) {
      const only = ts[0];
      if (exclude?.has(only) === true) return undefined;
      const s = only.state;
      if (s.up || s.wake() || s.breaker === undefined || !s.breaker.refusing())
        return s.take() ? only : undefined;
      return undefined;
    }
    const best = this.choose(exclude, hashKey, true) ?? this.choose(exclude, hashKey, false);
    return best !== undefined && best.state.take() ? best : undefined;
  }

  /** True when every target's breaker refuses (what KW_ERR_CIRCUIT_OPEN means). */
  allOpen(): boolean {
    return this.targets.length > 0 && this.targets.every((t) => t.state.breaker?.refusing() === true);
  }

  /** `healthy`: only targets that are up; otherwise any whose breaker lets it through. */
  private choose(
    exclude: ReadonlySet<BalancedTarget> | undefined,
    hashKey: string | undefined,
    healthy: boolean,
  ): BalancedTarget | undefined {
    if (this.ring !== undefined && hashKey !== undefined) {
      const i = this.ring.lookup(hashKey, (index) => {
        const t = this.targets[index];
        return exclude?.has(t) !== true && usable(t.state, healthy);
      });
      return i < 0 ? undefined : this.targets[i];
    }
    if (this.algorithm === 'least-connections') return this.leastConnections(exclude, healthy);
    let best: BalancedTarget | undefined;
    let total = 0;
    for (const t of this.targets) {
      if (exclude?.has(t) === true || !usable(t.state, healthy)) continue;
      t.current += t.weight;
      total += t.weight;
      if (best === undefined || t.current > best.current) best = t;
    }
    if (best !== undefined) best.current -= total;
    return best;
  }

  /** The fewest in flight per weight; smooth weighted round-robin among the tied. */
  private leastConnections(
    exclude: ReadonlySet<BalancedTarget> | undefined,
    healthy: boolean,
  ): BalancedTarget | undefined {
    let min: BalancedTarget | undefined;
    for (const t of this.targets) {
      if (exclude?.has(t) === true || !usable(t.state, healthy)) continue;
      if (min === undefined || t.state.active * min.weight < min.state.active * t.weight) min = t;
    }
    if (min === undefined) return undefined;
    let best: BalancedTarget | undefined;
    let total = 0;
    for (const t of this.targets) {
      if (exclude?.has(t) === true || !usable(t.state, healthy)) continue;
      if (t.state.active * min.weight !== min.state.active * t.weight) continue;
      t.current += t.weight;
      total += t.weight;
      if (best === undefined || t.current > best.current) best = t;
    }
    if (best !== undefined) best.current -= total;
    return best;
  }
}

function usable(s: TargetState, healthy: boolean): boolean {
  if (healthy) return s.up || s.wake();
  return s.breaker === undefined || !s.breaker.refusing();
}
