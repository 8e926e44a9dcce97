/**
 * A circuit breaker (closed → open → half-open → closed), per target or per service. It opens on either of
 * two signals: `consecutive_failures` failures in a row, or an error rate of at least `error_rate` over the
 * last `window_ms` once that window holds `min_requests` outcomes. Open, it refuses everything for
 * `open_ms` (no upstream connection is attempted); then half-open, it lets `half_open_probes` requests
 * through: all of them succeeding closes it, any failing opens it again.
 *
 * The window is two fixed buckets weighted by how far the current one has run (the sliding-window
 * estimate rate limiters use): two counters and no per-request allocation. The clock is injected.
 */
export interface BreakerPolicy {
  error_rate: number;
  min_requests: number;
  window_ms: number;
  consecutive_failures: number;
  open_ms: number;
  half_open_probes: number;
  /** Answers that count as failures (no answer at all always does). */
  statuses: readonly number[];
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  state: BreakerState = 'closed';
  /** When an open breaker turns half-open (epoch ms of the injected clock). */
  private reopenAt = 0;
  private consecutive = 0;
  private bucketStart = 0;
  private curTotal = 0;
  private curFailed = 0;
  private prevTotal = 0;
  private prevFailed = 0;
  /** Half-open: probes let through, and how many came back good. */
  private probes = 0;
  private probeSuccesses = 0;
  /** When the current round of probes started. */
  private probingSince = 0;
  /** Told on every state change (the owner turns it into health events). */
  onChange: ((state: BreakerState, reason: string) => void) | undefined = undefined;

  constructor(
    public policy: BreakerPolicy,
    private readonly now: () => number,
  ) {}

  /**
   * May a request go through now? Half-open, each `true` is one of the bounded probes (the caller must
   * report its outcome). Open, turns half-open once `open_ms` passed.
   */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() < this.reopenAt) return false;
      this.move('half-open', `open for ${this.policy.open_ms} ms: probing`);
    }
    if (this.probes >= this.policy.half_open_probes) {
      if (!this.probesLost()) return false;
      this.move('half-open', 'probes got no outcome: probing again');
    }
    this.probes++;
    return true;
  }

  /**
   * Probes whose outcome never came (the client left, the request was dropped) must not hold the breaker
   * half-open for ever: after another `open_ms` a new round starts.
   */
  private probesLost(): boolean {
    return this.now() - this.probingSince >= this.policy.open_ms;
  }

  /** Would `allow()` refuse? (No probe is taken.) */
  refusing(): boolean {
    if (this.state === 'closed') return false;
    if (this.state === 'open') return this.now() < this.reopenAt;
    return this.probes >= this.policy.half_open_probes && !this.probesLost();
  }

  success(): void {
    if (this.state === 'half-open') {
      this.probeSuccesses++;
      if (this.probeSuccesses >= this.policy.half_open_probes) this.move('closed', 'probes succeeded');
      return;
    }
    this.consecutive = 0;
    this.count(false);
  }

  failure(): void {
    if (this.state === 'half-open') {
      this.trip('a half-open probe failed');
      return;
    }
    if (this.state === 'open') return;
    this.consecutive++;
    this.count(true);
    const p = this.policy;
    if (p.consecutive_failures > 0 && this.consecutive >= p.consecutive_failures) {
      this.trip(`${this.consecutive} consecutive failures`);
      return;
    }
    const { total, failed } = this.windowCounts();
    if (total >= p.min_requests && failed / total >= p.error_rate) {
      this.trip(`error rate ${Math.round((failed / total) * 100)}% over ${total} requests`);
    }
  }

  /** The window's outcomes, weighted (for status pages). */
  windowCounts(): { total: number; failed: number } {
    this.roll();
    const w = this.policy.window_ms;
    const weight = Math.max(0, 1 - (this.now() - this.bucketStart) / w);
    return {
      total: this.curTotal + this.prevTotal * weight,
      failed: this.curFailed + this.prevFailed * weight,
    };
  }

  private count(failed: boolean): void {
    this.roll();
    this.curTotal++;
    if (failed) this.curFailed++;
  }

  private roll(): void {
    const now = this.now();
    const w = this.policy.window_ms;
    if (now - this.bucketStart < w) return;
    const fresh = now - this.bucketStart >= 2 * w;
    this.prevTotal = fresh ? 0 : this.curTotal;
    this.prevFailed = fresh ? 0 : this.curFailed;
    this.curTotal = 0;
    this.curFailed = 0;
    this.bucketStart = fresh ? now : this.bucketStart + w;
  }

  private trip(reason: string): void {
    this.reopenAt = this.now() + this.policy.open_ms;
    this.move('open', reason);
  }

  private move(state: BreakerState, reason: string): void {
    const previous = this.state;
    this.state = state;
    this.probes = 0;
    this.probeSuccesses = 0;
    this.probingSince = this.now();
    if (state === 'closed') {
      this.consecutive = 0;
      this.curTotal = this.curFailed = this.prevTotal = this.prevFailed = 0;
      this.bucketStart = this.now();
    }
    if (previous !== state) this.onChange?.(state, reason);
  }
}
