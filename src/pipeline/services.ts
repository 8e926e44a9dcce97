/**
 * Narrow services the node hands to plugins (`PluginServices`), as interfaces their owners implement: the
 * alert sinks of src/observe/alerts/ here, the counter stores of src/limits/ in counter-store.ts. A
 * plugin depends on what it is told, never on the class that does it.
 */

/** One budget crossing a threshold, as the data plane reports it. */
export interface BudgetCrossing {
  workspace: string;
  /** The budget's name (`month-UTC` unless named). */
  budget: string;
  /** Where the budget is written: `plugin` (ai-proxy config) or `plan:<name>`. */
  source: string;
  /** What the budget is kept per (`consumer`, `key`, `app+plan`…). */
  counted_per: string;
  /** Who, readably: consumer username, app name, key id or plan name (several joined by `|`). */
  subject: string;
  /** The calling consumer's username, for rules scoped to one consumer. */
  consumer: string | null;
  /** The counter's key: identifies the subject exactly (ids, not names), never a secret. */
  counter: string;
  /** The period's id (`2026-11`, `2026-11-28`). */
  period: string;
  level: 'threshold' | 'exhausted';
  /** The percent crossed: the budget's `alert_at`, or 100. */
  percent: number;
  spent_usd: number;
  limit_usd: number;
  resets_at: string;
  /** Epoch ms of the charge that crossed. */
  at: number;
}

/** Where the data plane reports crossings (PluginServices.budgetAlerts). Must not block or throw. */
export interface BudgetAlertSink {
  budgetCrossed(e: BudgetCrossing): void;
}

/** One quota reaching a level, as the quota plugin reports it. */
export interface QuotaCrossing {
  workspace: string;
  /** The quota's name (`1000-per-day` unless named). */
  quota: string;
  /** Where the quota is written: `route` (the quota plugin's config) or `plan:<name>`. */
  source: string;
  /** What the quota is kept per (`key`, `consumer`, `app+route`…). */
  counted_per: string;
  /** Who, readably: key id, app or consumer name, plan, route, IP (several joined by `|`). */
  subject: string;
  /** The calling consumer's username, for rules scoped to one consumer. */
  consumer: string | null;
  /** The route whose quota it is (plugin config quotas count per route); null for a plan's quota. */
  route: string | null;
  /** The counter's key: identifies the subject exactly (ids), never shown, never a secret. */
  counter: string;
  /** The period's id (`2026-11`, `2026-11-28`). */
  period: string;
  /** The level reached: a rule's threshold percent, or 100 (used up). */
  percent: number;
  used: number;
  limit: number;
  resets_at: string;
  /** Epoch ms of the call that crossed. */
  at: number;
}

/** Where the quota plugin reports (PluginServices.quotaAlerts). Must not block or throw. */
export interface QuotaAlertSink {
  /** Percents some enabled `quota` rule wants, ascending; empty when none. Read on every quota check. */
  readonly levels: readonly number[];
  quotaCrossed(e: QuotaCrossing): void;
}
