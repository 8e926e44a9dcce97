/**
 * Picks a target for each upstream call. Smooth weighted round-robin (the nginx algorithm: spreads a
 * 5:1:1 weighting as a a b a c a a, not a a a a a b c) or least-connections with weights as a tie-breaker.
 * A target that refused a connection is skipped for `attempt`s of the same request.
 */
/**
 * A target's health as far as the node knows it: `healthchecks_off` while no health check watches it (every
 * target today; issue 25's passive and active checks set `healthy`/`unhealthy`). `/metrics` reports it
 * (`keyway_upstream_target_health`).
 */
export type TargetHealth = 'healthchecks_off' | 'healthy' | 'unhealthy';

export interface BalancedTarget {
  /** `host:port` as configured. */
  address: string;
  /** `http://host:port` or `https://host:port`, as undici wants it. */
  origin: string;
  weight: number;
  current: number;
  /** Requests sent to it and not yet answered (least-connections picks by it; `/metrics` reports it). */
  active: number;
  health: TargetHealth;
}

export type Algorithm = 'round-robin' | 'least-connections';

export class Balancer {
  readonly targets: BalancedTarget[];
  private readonly algorithm: Algorithm;
  private readonly total: number;

  constructor(
    protocol: string,
    targets: ReadonlyArray<{ target: string; weight?: number }>,
    algorithm: Algorithm,
  ) {
    this.algorithm = algorithm;
    this.targets = targets
      .filter((t) => (t.weight ?? 100) > 0)
      .map((t) => ({
        address: t.target,
        origin: `${protocol}//${t.target}`,
        weight: t.weight ?? 100,
        current: 0,
        active: 0,
        health: 'healthchecks_off' as const,
      }));
    this.total = this.targets.reduce((s, t) => s + t.weight, 0);
  }

  /** Returns undefined when no target is usable. `exclude` lists targets that already failed this request. */
  pick(exclude?: ReadonlySet<BalancedTarget>): BalancedTarget | undefined {
    const ts = this.targets;
    if (ts.length === 1) {
      const only = ts[0];
      return only !== undefined && exclude?.has(only) !== true ? only : undefined;
    }
    if (this.algorithm === 'least-connections') return this.leastConnections(exclude);
    let best: BalancedTarget | undefined;
    for (const t of ts) {
      if (exclude?.has(t) === true) continue;
      t.current += t.weight;
      if (best === undefined || t.current > best.current) best = t;
    }
    if (best !== undefined) best.current -= this.total;
    return best;
  }

  private leastConnections(exclude?: ReadonlySet<BalancedTarget>): BalancedTarget | undefined {
    let best: BalancedTarget | undefined;
    for (const t of this.targets) {
      if (exclude?.has(t) === true) continue;
      if (best === undefined || t.active * best.weight < best.active * t.weight) best = t;
    }
    return best;
  }
}
