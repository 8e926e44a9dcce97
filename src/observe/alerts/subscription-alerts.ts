/**
 * "A subscription is waiting for approval" (`subscription` alert rules): an event, like quota crossings
 * (quota-alerts.ts). The admin API reports every subscription it leaves `pending` (a create, an apply);
 * here it is logged, written to the alert history and sent to the webhook of each enabled `subscription`
 * rule that wants it (`scope.service` narrows a rule to one service). Once per subscription: the history
 * row's id is derived from the subscription's id, so an apply that lists a still-pending subscription again,
 * or two nodes reporting it, send one webhook. A subscription can only be pending from its creation, so
 * the id names the one time it waits.
 */
import type { ObserveDb } from '../store/observe-db.js';
import type { ActiveRule, ActiveRules } from './active-rules.js';
import { eventId, fireOnce, firingPayload } from './event-once.js';

/** A subscription left waiting for an admin's decision. */
export interface PendingSubscription {
  workspace: string;
  /** The subscription's id: what makes the event once-only. */
  id: string;
  app: string;
  service: string;
  plan: string | undefined;
  /** Who asked (the admin or token that created it). */
  requested_by: string;
  at: number;
}

export interface SubscriptionAlertsOptions {
  log: { info(obj: object, msg: string): void };
  onError?: (err: unknown) => void;
}

/** Ids already reported by this node: an apply re-listing them costs no store round trip. */
const SEEN_MAX = 10_000;

export class SubscriptionAlerts {
  #rules: readonly ActiveRule[] = [];
  readonly #seen = new Set<string>();
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: ObserveDb,
    active: ActiveRules,
    private readonly opts: SubscriptionAlertsOptions,
  ) {
    active.subscribe((rules) => {
      this.#rules = rules.filter((r) => r.kind === 'subscription');
    });
  }

  /** Reports a pending subscription; never throws, never waits (`idle` does). */
  pending(e: PendingSubscription): void {
    const once = `${e.workspace}\u0000${e.id}`;
    if (this.#seen.has(once)) return;
    if (this.#seen.size >= SEEN_MAX) this.#seen.clear();
    this.#seen.add(once);
    const p = this.record(e).catch((err: unknown) => this.opts.onError?.(err));
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Resolves once every reported subscription is recorded and delivered (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async record(e: PendingSubscription): Promise<void> {
    const at = new Date(e.at).toISOString();
    this.opts.log.info({ ...e, at }, 'subscription waiting for approval');
    const subject = `app ${e.app} → service ${e.service} in workspace ${e.workspace}`;
    const rules = this.#rules.filter((r) => r.scope.service === undefined || r.scope.service === e.service);
    // No rule: the history still says it happened (GET /alerts/history).
    for (const rule of rules.length === 0 ? [undefined] : rules) {
      const event = {
        id: eventId('sub', [e.workspace, e.id, 'pending', rule?.id ?? '']),
        rule_id: rule?.id ?? '',
        rule_name: rule?.name ?? 'subscription.pending',
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

function payload(
  rule: ActiveRule,
  e: PendingSubscription,
  subject: string,
  at: string,
): Record<string, unknown> {
  return {
    ...firingPayload(rule, 0, subject),
    event: 'subscription.pending',
    subscription: {
      workspace: e.workspace,
      id: e.id,
      app: e.app,
      service: e.service,
      plan: e.plan ?? null,
      status: 'pending',
      requested_by: e.requested_by,
    },
    at,
  };
}
