/**
 * What a node knows of one upstream target beyond the configuration: requests in flight, health (passive
 * counting of real traffic, active probes) and its circuit breaker. One object per workspace + upstream +
 * target address, kept by the node's registry (src/snapshot/upstream-states.ts) across snapshots: the
 * balancer is rebuilt with every admin write, this is not, so a weight change keeps what health saw.
 *
 * `up` is the one field the balancer reads on every pick: healthy and not refused by an open breaker.
 */
import { CircuitBreaker, type BreakerPolicy, type BreakerState } from './circuit-breaker.js';

export interface PassivePolicy {
  /** Consecutive failed answers (a `statuses` status, a refused or reset connection) to mark unhealthy; 0 off. */
  failures: number;
  /** Consecutive timeouts to mark unhealthy; 0 off. */
  timeouts: number;
  statuses: readonly number[];
  /** Without active checks: how long an unhealthy target stays out before it is tried again. */
  cooldown_ms: number;
  /** Consecutive successes that make a target back on probation healthy again. */
  successes: number;
}

export interface ActivePolicy {
  path: string;
  interval_ms: number;
  timeout_ms: number;
  healthy_threshold: number;
  unhealthy_threshold: number;
  /** Expected statuses; empty: any 2xx or 3xx. */
  statuses: readonly number[];
}

export interface HealthPolicy {
  passive: PassivePolicy | undefined;
  active: ActivePolicy | undefined;
}

/** `probation`: back in rotation after a passive cooldown, one failure away from unhealthy again. */
export type Health = 'healthy' | 'unhealthy' | 'probation';

/**
 * A target's health as `/metrics` reports it (`keyway_upstream_target_health`): `healthchecks_off` while no
 * health check watches it; a target on probation is in rotation, so `healthy`.
 */
export type TargetHealth = 'healthchecks_off' | 'healthy' | 'unhealthy';

/** A change the node turns into a log line and an alert event (src/observe/alerts/health-alerts.ts). */
export interface HealthChange {
  workspace: string;
  /** The upstream's name, or `service:<name>` for a service's own breaker. */
  upstream: string;
  target: string;
  what: 'health' | 'breaker';
  state: Health | BreakerState;
  previous: Health | BreakerState;
  reason: string;
  at: number;
}

export type HealthListener = (change: HealthChange) => void;

/** What metrics and status pages read of a target (the read interface; nothing here is written). */
export interface TargetHealthView {
  readonly workspace: string;
  readonly upstream: string;
  readonly address: string;
  readonly health: Health;
  readonly breakerState: BreakerState | undefined;
  /** Requests in flight to it from this node. */
  readonly active: number;
}

export class TargetState implements TargetHealthView {
  active = 0;
  health: Health = 'healthy';
  up = true;
  breaker: CircuitBreaker | undefined = undefined;
  policy: HealthPolicy = { passive: undefined, active: undefined };
  /** Passive counters, and the active probes' streaks. */
  private failures = 0;
  private timeouts = 0;
  private successes = 0;
  private probeOk = 0;
  private probeBad = 0;
  /** Passive-only: when an unhealthy target goes on probation. */
  private retryAt = 0;
  lastProbe: { at: number; status: number; error?: string } | undefined = undefined;

  constructor(
    readonly workspace: string,
    readonly upstream: string,
    readonly address: string,
    private readonly now: () => number,
    private readonly listener: () => HealthListener | undefined,
  ) {}

  /** Applies the configuration of a new snapshot; what was counted stays. */
  configure(policy: HealthPolicy, breaker: BreakerPolicy | undefined): void {
    this.policy = policy;
    if (breaker === undefined) this.breaker = undefined;
    else if (this.breaker !== undefined) this.breaker.policy = breaker;
    else {
      this.breaker = new CircuitBreaker(breaker, this.now);
      this.breaker.onChange = (state, reason) => {
        this.refresh();
        this.tell('breaker', state, this.breakerWas ?? 'closed', reason);
        this.breakerWas = state;
      };
    }
    if (policy.passive === undefined && policy.active === undefined && this.health !== 'healthy') {
      this.setHealth('healthy', 'health checks turned off');
    }
    this.refresh();
  }

  private breakerWas: BreakerState | undefined = undefined;

  /** The health `/metrics` reports. */
  get metricHealth(): TargetHealth {
    if (this.policy.passive === undefined && this.policy.active === undefined) return 'healthchecks_off';
    return this.health === 'unhealthy' ? 'unhealthy' : 'healthy';
  }

  get breakerState(): BreakerState | undefined {
    return this.breaker?.state;
  }

  /**
   * Re-evaluates the time-driven transitions (a passive cooldown ending, an open breaker due for
   * probes); the balancer calls it only for targets that are not `up`. Returns the new `up`.
   */
  wake(): boolean {
    if (
      this.health === 'unhealthy' &&
      this.policy.active === undefined &&
      this.policy.passive !== undefined
    ) {
      if (this.now() >= this.retryAt) this.setHealth('probation', 'cooldown over: back on probation');
    }
    this.refresh();
    if (!this.up && this.health !== 'unhealthy' && this.breaker !== undefined && !this.breaker.refusing()) {
      this.up = true;
    }
    return this.up;
  }

  /** The balancer chose this target: a half-open breaker counts the probe. False: do not use it. */
  take(): boolean {
    if (this.breaker === undefined || this.breaker.state === 'closed') return true;
    const ok = this.breaker.allow();
    this.refresh();
    return ok;
  }

  /** An answer arrived with this status (passive health and the breaker count it). */
  answered(status: number): void {
    const p = this.policy.passive;
    const bad = p !== undefined && p.statuses.includes(status);
    if (this.breaker !== undefined) {
      if (this.breaker.policy.statuses.includes(status)) this.breaker.failure();
      else this.breaker.success();
    }
    if (p === undefined) return;
    if (bad) this.passiveFailure(p, false);
    else this.passiveSuccess(p);
  }

  /** No answer: a connection failure, or a timeout. */
  failed(timeout: boolean): void {
    this.breaker?.failure();
    const p = this.policy.passive;
    if (p !== undefined) this.passiveFailure(p, timeout);
  }

  /** One active probe's outcome. */
  probed(ok: boolean, status: number, error?: string): void {
    const a = this.policy.active;
    this.lastProbe = { at: this.now(), status, ...(error === undefined ? {} : { error }) };
    if (a === undefined) return;
    if (ok) {
      this.probeBad = 0;
      this.probeOk++;
      if (this.health !== 'healthy' && this.probeOk >= a.healthy_threshold) {
        this.setHealth('healthy', `${this.probeOk} successful health checks`);
      }
    } else {
      this.probeOk = 0;
      this.probeBad++;
      if (this.health !== 'unhealthy' && this.probeBad >= a.unhealthy_threshold) {
        this.setHealth('unhealthy', `${this.probeBad} failed health checks (${error ?? `status ${status}`})`);
      }
    }
  }

  private passiveFailure(p: PassivePolicy, timeout: boolean): void {
    this.successes = 0;
    if (timeout) this.timeouts++;
    else this.failures++;
    if (this.health === 'unhealthy') return;
    if (this.health === 'probation') {
      this.markPassiveDown(p, 'failed again on probation');
      return;
    }
    if (timeout && p.timeouts > 0 && this.timeouts >= p.timeouts) {
      this.markPassiveDown(p, `${this.timeouts} consecutive timeouts`);
    } else if (!timeout && p.failures > 0 && this.failures >= p.failures) {
      this.markPassiveDown(p, `${this.failures} consecutive failures`);
    }
  }

  private passiveSuccess(p: PassivePolicy): void {
    this.failures = 0;
    this.timeouts = 0;
    if (this.health !== 'probation') return;
    this.successes++;
    if (this.successes >= p.successes) this.setHealth('healthy', `${this.successes} successes on probation`);
  }

  private markPassiveDown(p: PassivePolicy, reason: string): void {
    this.retryAt = this.now() + p.cooldown_ms;
    this.probeOk = 0;
    this.setHealth('unhealthy', reason);
  }

  private setHealth(health: Health, reason: string): void {
    const previous = this.health;
    if (previous === health) return;
    this.health = health;
    this.failures = this.timeouts = this.successes = 0;
    this.refresh();
    this.tell('health', health, previous, reason);
  }

  private refresh(): void {
    this.up = this.health !== 'unhealthy' && (this.breaker === undefined || this.breaker.state === 'closed');
  }

  private tell(
    what: HealthChange['what'],
    state: HealthChange['state'],
    previous: HealthChange['previous'],
    reason: string,
  ): void {
    this.listener()?.({
      workspace: this.workspace,
      upstream: this.upstream,
      target: this.address,
      what,
      state,
      previous,
      reason,
      at: this.now(),
    });
  }
}
