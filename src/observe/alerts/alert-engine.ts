/**
 * Evaluates alert rules on a timer (and on demand in tests, with their own clock). Each rule, and for
 * `auth_failures` each IP or credential, is `ok` or `firing`; a change of state is written to the alert
 * history and sent to the rule's webhook — `firing` when the condition holds over the window, `resolved`
 * when it no longer does. "Errors above 5% for 2 minutes" is `error_rate`, threshold 5, window 2: the
 * rate over the last two minutes of minute rollups.
 *
 * State survives restarts: it is rebuilt from the last history event of each rule and subject, so a
 * restarted node neither fires twice nor forgets to resolve.
 */
import { randomUUID } from 'node:crypto';
import { totals } from '../analytics.js';
import type { ObserveDb } from '../store/observe-db.js';
import type { AlertEventTable } from '../store/schema.js';
import { EVENT_KINDS, type AlertRule, type AlertRuleStore } from './alert-rules.js';
import type { AuthFailureWindow } from './auth-failure-window.js';
import { deliver } from './webhook.js';

export interface AlertEngineOptions {
  now?: () => number;
  /** Rollups folded but not yet stored must reach the store before a rule reads them. */
  beforeEvaluate?: () => Promise<void>;
  /** With several nodes on one store, only the holder evaluates (src/observe/store/lease.ts). */
  lease?: { acquire(now: number): Promise<boolean> };
  onError?: (err: unknown) => void;
}

export class AlertEngine {
  private firing: Set<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: ObserveDb,
    private readonly rules: AlertRuleStore,
    private readonly authFailures: AuthFailureWindow,
    private readonly opts: AlertEngineOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(
      () => void this.evaluate().catch((e: unknown) => this.opts.onError?.(e)),
      intervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One evaluation of every enabled rule; concurrent calls share it. */
  evaluate(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    await this.opts.beforeEvaluate?.();
    const now = this.now();
    if (this.opts.lease !== undefined && !(await this.opts.lease.acquire(now))) {
      // Another node evaluates; if this one takes over later, it starts from the history that node wrote.
      this.firing = undefined;
      return;
    }
    const firing = this.firing ?? (this.firing = await this.loadFiring());
    for (const rule of await this.rules.active()) {
      // Budget and quota crossings and new networks are events (budget-alerts.ts, quota-alerts.ts,
      // network-alerts.ts), with nothing to measure here.
      if (EVENT_KINDS.has(rule.kind)) continue;
      const observed = await this.measure(rule, now);
      const subjects = new Set(observed.keys());
      for (const key of firing)
        if (key.startsWith(`${rule.id}\u0000`)) subjects.add(key.split('\u0000')[1] ?? '');
      for (const subject of subjects) {
        const key = `${rule.id}\u0000${subject}`;
        const value = observed.get(subject);
        const breach = value !== undefined && value.breach;
        if (breach && !firing.has(key)) {
          firing.add(key);
          await this.transition(rule, subject, 'firing', value.value, now);
        } else if (!breach && firing.has(key)) {
          firing.delete(key);
          await this.transition(rule, subject, 'resolved', value?.value ?? 0, now);
        }
      }
    }
  }

  /** subject ('' for whole-scope rules) → measured value and whether it crosses the threshold. */
  private async measure(
    rule: AlertRule & { secret: string },
    now: number,
  ): Promise<Map<string, { value: number; breach: boolean }>> {
    const out = new Map<string, { value: number; breach: boolean }>();
    if (rule.kind === 'auth_failures') {
      for (const [subject, n] of this.authFailures.counts(rule.scope.per ?? 'ip', rule.window_minutes, now))
        out.set(subject, { value: n, breach: n > rule.threshold });
      return out;
    }
    // Whole minutes that ended inside the window: the minute in progress is not complete yet.
    const until = now - (now % 60_000);
    const s = await totals(this.store, {
      since: until - rule.window_minutes * 60_000,
      until,
      grain: 'm',
      ...(rule.scope.service === undefined ? {} : { service: rule.scope.service }),
      ...(rule.scope.route === undefined ? {} : { route: rule.scope.route }),
      ...(rule.scope.consumer === undefined ? {} : { consumer: rule.scope.consumer }),
    });
    const enough = s.count >= rule.min_requests && s.count > 0;
    const value = rule.kind === 'error_rate' ? s.error_rate : (s.p99_ms ?? 0);
    out.set('', { value, breach: enough && value > rule.threshold });
    return out;
  }

  private async transition(
    rule: AlertRule & { secret: string },
    subject: string,
    state: 'firing' | 'resolved',
    value: number,
    now: number,
  ): Promise<void> {
    const at = new Date(now).toISOString();
    const payload = {
      alert: rule.name,
      rule_id: rule.id,
      kind: rule.kind,
      state,
      value,
      threshold: rule.threshold,
      window_minutes: rule.window_minutes,
      scope: rule.scope,
      ...(subject === '' ? {} : { subject }),
      at,
    };
    const status = await deliver(rule.webhook_url, rule.secret, payload, now);
    const event: AlertEventTable = {
      id: randomUUID(),
      rule_id: rule.id,
      rule_name: rule.name,
      state,
      value,
      subject,
      at,
      delivery_status: status,
    };
    await this.store.db.insertInto('alert_events').values(event).execute();
  }

  private async loadFiring(): Promise<Set<string>> {
    const rows = await this.store.db
      .selectFrom('alert_events')
      .select(['rule_id', 'subject', 'state'])
      .orderBy('at')
      .orderBy('id')
      .execute();
    const out = new Set<string>();
    for (const r of rows) {
      const key = `${r.rule_id}\u0000${r.subject}`;
      if (r.state === 'firing') out.add(key);
      else out.delete(key);
    }
    return out;
  }
}

export async function alertHistory(
  store: ObserveDb,
  q: { limit: number; rule?: string },
): Promise<AlertEventTable[]> {
  let query = store.db.selectFrom('alert_events').selectAll().orderBy('at', 'desc').orderBy('id', 'desc');
  if (q.rule !== undefined) query = query.where('rule_name', '=', q.rule);
  const rows = await query.limit(q.limit).execute();
  return rows.map((r) => ({ ...r, value: Number(r.value), delivery_status: Number(r.delivery_status) }));
}
