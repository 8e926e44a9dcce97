/**
 * Quota alerts ("quota at 80 % / 100 %"). Like AI budgets (budget-alerts.ts) they are events from the
 * data plane, not measurements on a timer: the quota plugin consumes one unit atomically in the node's
 * counter store (local, the primary for --workers, or Redis) and the store answers with the count after
 * it, so the one call that takes the count from below a level to the level sees the crossing — one call
 * among all nodes sharing the counter (src/limits/quota-alert.ts). Here it is logged, written to the
 * alert history and sent to the webhook of each enabled `quota` rule that wants it: a rule is told at its
 * `threshold` percent (default 80) and at 100 % (used up), for its `scope.consumer` / `scope.route` only
 * when set. Once per period and subject: each history row has an id derived from the crossing (counter,
 * period, percent, rule), so nodes that each saw it — counting locally while Redis was away — send one.
 *
 * The plugin must not wait for the rules, so it reads `levels`, the percents some rule wants, kept from
 * the rules in memory (active-rules.ts). With no `quota` rule it is empty and nothing is reported.
 * Day and month quotas only: a rolling quota renews continuously and has no period to fire once in.
 */
import type { ObserveDb } from '../store/observe-db.js';
import type { ActiveRule, ActiveRules } from './active-rules.js';
import { eventId, fireOnce, firingPayload } from './event-once.js';
import type { QuotaAlertSink, QuotaCrossing } from '../../pipeline/services.js';

export interface QuotaAlertsOptions {
  log: { warn(obj: object, msg: string): void };
  onError?: (err: unknown) => void;
}

const NONE: readonly number[] = Object.freeze([]);

export class QuotaAlerts implements QuotaAlertSink {
  #levels: readonly number[] = NONE;
  #rules: readonly ActiveRule[] = [];
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: ObserveDb,
    active: ActiveRules,
    private readonly opts: QuotaAlertsOptions,
  ) {
    active.subscribe((rules) => {
      this.#rules = rules.filter((r) => r.kind === 'quota');
      const levels = new Set(this.#rules.map((r) => r.threshold));
      if (levels.size > 0) levels.add(100);
      this.#levels = levels.size === 0 ? NONE : [...levels].sort((a, b) => a - b);
    });
  }

  get levels(): readonly number[] {
    return this.#levels;
  }

  quotaCrossed(e: QuotaCrossing): void {
    const p = this.record(e).catch((err: unknown) => this.opts.onError?.(err));
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Resolves once every reported crossing is recorded and delivered (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async record(e: QuotaCrossing): Promise<void> {
    const rules = this.#rules.filter((r) => wants(r, e));
    if (rules.length === 0) return;
    const { counter: _counter, ...shown } = e;
    const used = e.percent >= 100;
    this.opts.log.warn(
      { ...shown, at: new Date(e.at).toISOString() },
      used ? 'quota used up' : 'quota threshold reached',
    );
    const subject = `${e.subject}, quota ${e.quota}, period ${e.period}, ${e.percent}%`;
    const at = new Date(e.at).toISOString();
    for (const rule of rules) {
      const event = {
        id: eventId('quota', [e.workspace, e.source, e.counter, e.period, String(e.percent), rule.id]),
        rule_id: rule.id,
        rule_name: rule.name,
        state: 'firing',
        value: e.percent,
        subject,
        at,
        delivery_status: 0,
      };
      await fireOnce(this.store, event, rule, payload(rule, e, subject));
    }
  }
}

function wants(rule: ActiveRule, e: QuotaCrossing): boolean {
  if (e.percent !== rule.threshold && e.percent < 100) return false;
  if (rule.scope.consumer !== undefined && rule.scope.consumer !== e.consumer) return false;
  return rule.scope.route === undefined || rule.scope.route === e.route;
}

function payload(rule: ActiveRule, e: QuotaCrossing, subject: string): Record<string, unknown> {
  return {
    ...firingPayload(rule, e.percent, subject),
    quota: {
      workspace: e.workspace,
      name: e.quota,
      source: e.source,
      counted_per: e.counted_per,
      subject: e.subject,
      consumer: e.consumer,
      route: e.route,
      period: e.period,
      level: e.percent >= 100 ? 'exhausted' : 'threshold',
      percent: e.percent,
      used: e.used,
      limit: e.limit,
      resets_at: e.resets_at,
    },
    at: new Date(e.at).toISOString(),
  };
}
