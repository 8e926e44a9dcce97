/**
 * AI spend budget alerts. Unlike the rules the alert engine evaluates on a timer over rollups, a budget
 * alert is an event: the data plane charges what a call cost to the budget's counter (atomically, in
 * the node's counter store) and the one charge that takes the spend from below the threshold to at or
 * above it reports a crossing (src/ai/policy/budget-alert.ts). Of many nodes charging one Redis counter,
 * exactly one sees the crossing.
 *
 * Here the crossing is logged, written to the alert history and sent to the webhook of every enabled
 * `ai_budget` rule that wants it (rule `threshold` = the lowest percent it is told about; `scope.consumer`
 * narrows it to one consumer). Each history row has an id derived from the crossing (counter, period,
 * level, rule), inserted before the webhook is called: a node that finds the row already there sends
 * nothing. So the alert fires once per period and subject even when the counters could not agree — nodes
 * counting locally while Redis was away (`fail_open`) each see their own crossing, and the shared store
 * keeps all but the first.
 */
import type { ObserveDb } from '../store/observe-db.js';
import type { AlertEventTable } from '../store/schema.js';
import type { AlertRule, AlertRuleStore } from './alert-rules.js';
import { eventId, fireOnce, firingPayload } from './event-once.js';
import type { BudgetAlertSink, BudgetCrossing } from '../../pipeline/services.js';

export interface BudgetAlertsOptions {
  log: { warn(obj: object, msg: string): void };
  onError?: (err: unknown) => void;
}

export class BudgetAlerts implements BudgetAlertSink {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: ObserveDb,
    private readonly rules: AlertRuleStore,
    private readonly opts: BudgetAlertsOptions,
  ) {}

  budgetCrossed(e: BudgetCrossing): void {
    const p = this.record(e).catch((err: unknown) => this.opts.onError?.(err));
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Resolves once every reported crossing is recorded and delivered (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async record(e: BudgetCrossing): Promise<void> {
    const { counter: _counter, ...shown } = e;
    this.opts.log.warn(
      { ...shown, at: new Date(e.at).toISOString() },
      e.level === 'exhausted' ? 'AI spend budget used up' : 'AI spend budget threshold reached',
    );
    const rules = (await this.rules.active()).filter((r) => wants(r, e));
    const subject = `${e.subject}, budget ${e.budget}, period ${e.period}, ${e.level}`;
    const at = new Date(e.at).toISOString();
    // No rule: the history still says it happened (GET /alerts/history), under the budget's name.
    for (const rule of rules.length === 0 ? [undefined] : rules) {
      const event: AlertEventTable = {
        id: eventId('aib', [e.workspace, e.source, e.counter, e.period, e.level, rule?.id ?? '']),
        rule_id: rule?.id ?? '',
        rule_name: rule?.name ?? `ai_budget:${e.budget}`,
        state: 'firing',
        value: e.percent,
        subject,
        at,
        delivery_status: 0,
      };
      await fireOnce(this.store, event, rule, rule === undefined ? undefined : payload(rule, e, subject));
    }
  }
}

function wants(rule: AlertRule, e: BudgetCrossing): boolean {
  if (rule.kind !== 'ai_budget' || !rule.enabled) return false;
  if (e.percent < rule.threshold) return false;
  return rule.scope.consumer === undefined || rule.scope.consumer === e.consumer;
}

function payload(rule: AlertRule, e: BudgetCrossing, subject: string): Record<string, unknown> {
  return {
    ...firingPayload(rule, e.percent, subject),
    budget: {
      workspace: e.workspace,
      name: e.budget,
      source: e.source,
      counted_per: e.counted_per,
      subject: e.subject,
      consumer: e.consumer,
      period: e.period,
      level: e.level,
      percent: e.percent,
      spent_usd: e.spent_usd,
      limit_usd: e.limit_usd,
      resets_at: e.resets_at,
    },
    at: new Date(e.at).toISOString(),
  };
}

/** The same crossing gets the same id on every node, so the history keeps one row per crossing and rule. */
