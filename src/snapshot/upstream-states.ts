/**
 * The node's registry of what it knows about targets and services beyond their configuration: requests
 * in flight, health, circuit breakers, retry budgets (src/pipeline/target-state.ts, service-state.ts).
 * Keyed by workspace + upstream + target address (and workspace + service), it outlives snapshots: every
 * compile asks it for the states of the targets it lists, so a weight change, or any admin write, keeps
 * them; `sweep` forgets the targets and services that left the configuration.
 *
 * Each node keeps its own: in a cluster every node counts its own traffic and runs its own checks.
 */
import type { Dispatcher } from 'undici';
import type { BreakerPolicy } from '../pipeline/circuit-breaker.js';
import type { CompiledService } from '../pipeline/context.js';
import { ServiceState, type RetryPolicy } from '../pipeline/service-state.js';
import {
  TargetState,
  type HealthListener,
  type HealthPolicy,
  type TargetHealthView,
} from '../pipeline/target-state.js';

/** A target with active checks, as the checker (src/proxy/health-checker.ts) probes it. */
export interface ProbeTarget {
  state: TargetState;
  origin: string;
  dispatcher: Dispatcher;
}

export class UpstreamStates {
  private readonly targets = new Map<string, TargetState>();
  private readonly services = new Map<string, ServiceState>();
  private readonly probes = new Map<TargetState, ProbeTarget>();
  /** Told of every health and breaker change (the node logs them and raises alert events). */
  listener: HealthListener | undefined = undefined;
  /** Told after every sweep: the targets to probe now (src/proxy/health-checker.ts). */
  onProbesChanged: ((probes: ReadonlyMap<TargetState, ProbeTarget>) => void) | undefined = undefined;
  readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** The state of one target, configured with what the snapshot being compiled says. */
  target(
    workspace: string,
    upstream: string,
    address: string,
    health: HealthPolicy,
    breaker: BreakerPolicy | undefined,
    probe: { origin: string; dispatcher: Dispatcher },
  ): TargetState {
    const key = `${workspace}\u0000${upstream}\u0000${address}`;
    let s = this.targets.get(key);
    if (s === undefined) {
      s = new TargetState(workspace, upstream, address, this.now, () => this.listener);
      this.targets.set(key, s);
    }
    s.configure(health, breaker);
    if (health.active !== undefined) this.probes.set(s, { state: s, ...probe });
    else this.probes.delete(s);
    return s;
  }

  service(
    workspace: string,
    name: string,
    retry: RetryPolicy,
    breaker: BreakerPolicy | undefined,
  ): ServiceState {
    const key = `${workspace}\u0000${name}`;
    let s = this.services.get(key);
    if (s === undefined) {
      s = new ServiceState(workspace, name, retry, this.now);
      this.services.set(key, s);
    }
    const had = s.breaker;
    const b = s.configure(retry, breaker);
    if (b !== undefined && b !== had) {
      let was = b.state;
      b.onChange = (state, reason) => {
        this.listener?.({
          workspace,
          upstream: `service:${name}`,
          target: '*',
          what: 'breaker',
          state,
          previous: was,
          reason,
          at: this.now(),
        });
        was = state;
      };
    }
    return s;
  }

  /** Forgets what no service of `served` uses any more; then tells the checker what to probe. */
  sweep(served: Iterable<CompiledService>): void {
    const keepTargets = new Set<TargetState>();
    const keepServices = new Set<ServiceState>();
    for (const svc of served) {
      keepServices.add(svc.state);
      for (const t of svc.balancer.targets) keepTargets.add(t.state);
    }
    for (const [key, s] of this.targets) {
      if (!keepTargets.has(s)) {
        this.targets.delete(key);
        this.probes.delete(s);
      }
    }
    for (const [key, s] of this.services) if (!keepServices.has(s)) this.services.delete(key);
    this.onProbesChanged?.(this.probes);
  }

  /** Every target's health, for status pages and metrics (the read interface). */
  views(): TargetHealthView[] {
    return [...this.targets.values()];
  }

  /** The targets of one upstream (or a URL service's `service:<name>`) in a workspace. */
  upstream(workspace: string, upstream: string): TargetState[] {
    return [...this.targets.values()].filter((t) => t.workspace === workspace && t.upstream === upstream);
  }

  serviceStates(): ServiceState[] {
    return [...this.services.values()];
  }
}
