/**
 * Active health checks: every target of an upstream with `healthchecks.active` gets a GET of `path` every
 * `interval_ms` from this node (each node checks for itself), through the service's connection pool.
 * An answer with an expected status (any 2xx/3xx unless `statuses` lists them) within `timeout_ms` is a
 * success; `healthy_threshold` successes in a row bring an unhealthy target back, `unhealthy_threshold`
 * failures in a row take it out (src/pipeline/target-state.ts keeps the streaks).
 *
 * Timers are unref'd (a check never holds the process up) and come from an injected scheduler, so tests
 * drive the checks without waiting.
 */
import type { TargetState } from '../pipeline/target-state.js';
import type { ProbeTarget } from '../snapshot/upstream-states.js';

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realScheduler: Scheduler = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface Running {
  probe: ProbeTarget;
  timer: unknown;
  /** The interval the timer was set with (a config change reschedules). */
  interval: number;
  inFlight: AbortController | undefined;
}

export class HealthChecker {
  private readonly running = new Map<TargetState, Running>();
  private stopped = false;

  constructor(private readonly scheduler: Scheduler = realScheduler) {}

  /** Starts checking targets that are new, stops those that left, reschedules changed intervals. */
  sync(probes: ReadonlyMap<TargetState, ProbeTarget>): void {
    if (this.stopped) return;
    for (const [state, r] of this.running) {
      if (!probes.has(state)) this.cancel(state, r);
    }
    for (const [state, probe] of probes) {
      const interval = state.policy.active?.interval_ms;
      if (interval === undefined) continue;
      const r = this.running.get(state);
      if (r !== undefined) {
        r.probe = probe;
        if (r.interval === interval) continue;
        this.cancel(state, r);
      }
      // The first check goes at once: a new upstream's dead target is known within one timeout.
      const run: Running = { probe, timer: undefined, interval, inFlight: undefined };
      this.running.set(state, run);
      this.schedule(state, run, 0);
    }
  }

  /** Targets being checked now (status pages, tests). */
  get size(): number {
    return this.running.size;
  }

  /** Runs one check of `state` now (tests; the timers call it too). */
  async check(state: TargetState): Promise<void> {
    const r = this.running.get(state);
    if (r === undefined) return;
    await this.probe(r);
  }

  close(): void {
    this.stopped = true;
    for (const [state, r] of this.running) this.cancel(state, r);
  }

  private cancel(state: TargetState, r: Running): void {
    if (r.timer !== undefined) this.scheduler.clearTimeout(r.timer);
    r.inFlight?.abort();
    this.running.delete(state);
  }

  private schedule(state: TargetState, r: Running, ms: number): void {
    r.timer = this.scheduler.setTimeout(() => {
      r.timer = undefined;
      void this.probe(r).finally(() => {
        if (this.running.get(state) === r) this.schedule(state, r, r.interval);
      });
    }, ms);
  }

  private async probe(r: Running): Promise<void> {
    const { state, origin, dispatcher } = r.probe;
    const policy = state.policy.active;
    if (policy === undefined || r.inFlight !== undefined) return;
    const abort = new AbortController();
    r.inFlight = abort;
    const timer = setTimeout(
      () => abort.abort(new Error(`no answer within ${policy.timeout_ms} ms`)),
      policy.timeout_ms,
    );
    timer.unref();
    try {
      const res = await dispatcher.request({
        origin,
        path: policy.path,
        method: 'GET',
        headers: { 'user-agent': 'keyway-health-check' },
        signal: abort.signal,
        headersTimeout: policy.timeout_ms,
        bodyTimeout: policy.timeout_ms,
      });
      // The body is read to its end, so the connection goes back to the pool.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const ok =
        policy.statuses.length === 0
          ? res.statusCode >= 200 && res.statusCode < 400
          : policy.statuses.includes(res.statusCode);
      if (!this.stopped) state.probed(ok, res.statusCode);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const reason = abort.signal.aborted
        ? `no answer within ${policy.timeout_ms} ms`
        : (e.code ?? e.message ?? 'failed');
      if (!this.stopped) state.probed(false, 0, reason);
    } finally {
      clearTimeout(timer);
      r.inFlight = undefined;
    }
  }
}
