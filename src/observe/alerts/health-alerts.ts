/**
 * "A target went unhealthy, came back, a circuit breaker opened or closed" (`upstream_health` alert
 * rules): events, like pending subscriptions (subscription-alerts.ts). The node's registry of target
 * states (src/snapshot/upstream-states.ts) tells every change; here it is logged, written to the alert
 * history and sent to the webhook of each enabled `upstream_health` rule. Each node checks its targets
 * itself, so each node reports what it saw: the event id carries the node's own time of the change.
 */
import type { HealthChange } from '../../pipeline/target-state.js';
import type { ObserveDb } from '../store/observe-db.js';
import type { ActiveRule, ActiveRules } from './active-rules.js';
import { eventId, fireOnce, firingPayload } from './event-once.js';

export interface HealthAlertsOptions {
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  onError?: (err: unknown) => void;
}

export class HealthAlerts {
  #rules: readonly ActiveRule[] = [];
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: ObserveDb,
    active: ActiveRules,
    private readonly opts: HealthAlertsOptions,
  ) {
    active.subscribe((rules) => {
      this.#rules = rules.filter((r) => r.kind === 'upstream_health');
    });
  }

  /** Reports a change; never throws, never waits (`idle` does). */
  changed(e: HealthChange): void {
    const bad = e.state === 'unhealthy' || e.state === 'open';
    const line = { ...e, at: new Date(e.at).toISOString() };
    const msg = `upstream ${e.what === 'health' ? 'target' : 'circuit breaker'} ${e.state}`;
    if (bad) this.opts.log.warn(line, msg);
    else this.opts.log.info(line, msg);
    const p = this.record(e).catch((err: unknown) => this.opts.onError?.(err));
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async record(e: HealthChange): Promise<void> {
    const at = new Date(e.at).toISOString();
    const subject = `${e.what === 'health' ? 'target' : 'breaker of'} ${e.target === '*' ? '' : `${e.target} of `}${e.upstream} in workspace ${e.workspace}`;
    const name = `upstream.${e.what}.${e.state}`;
    for (const rule of this.#rules.length === 0 ? [undefined] : this.#rules) {
      const event = {
        id: eventId('health', [e.workspace, e.upstream, e.target, e.what, e.state, at, rule?.id ?? '']),
        rule_id: rule?.id ?? '',
        rule_name: rule?.name ?? name,
        state: 'firing',
        value: 0,
        subject,
        at,
        delivery_status: 0,
      };
      await fireOnce(this.store, event, rule, rule === undefined ? undefined : payload(rule, e, subject, at));
    }
  }
}

function payload(rule: ActiveRule, e: HealthChange, subject: string, at: string): Record<string, unknown> {
  return {
    ...firingPayload(rule, 0, subject),
    event: `upstream.${e.what}`,
    upstream: {
      workspace: e.workspace,
      upstream: e.upstream,
      target: e.target,
      [e.what]: e.state,
      previous: e.previous,
      reason: e.reason,
    },
    at,
  };
}
