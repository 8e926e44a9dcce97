/**
 * Narrow services the node hands to plugins (`PluginServices`), as interfaces their owners implement: the
 * alert sinks of src/observe/alerts/ and the API-key lookup of src/keys/ here, the counter stores of
 * src/limits/ in counter-store.ts. A plugin depends on what it is told, never on the class that does it.
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

/**
 * What a plugin is told of a stored API key (src/store/types.ts `StoredApiKey` is one): who it belongs to
 * and what it carries, never its hash.
 */
export interface ApiKeyFacts {
  id: string;
  workspace: string;
  app_id: string;
  env: 'live' | 'test';
  /** Undefined: the app's scopes. */
  scopes?: string[];
  metadata?: Record<string, unknown>;
  tier?: string;
}

/**
 * Why a presented key was not accepted. The client gets the same 401 for all of them; the reason (and,
 * for a key the store knows, its id) goes to the call record, so support can tell which key expired.
 */
export type ApiKeyRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'rotated';

/** A decided lookup: `record` is the usable record, or undefined with the refusal and the known record. */
export interface ApiKeyAnswer {
  readonly done: true;
  readonly record: ApiKeyFacts | undefined;
  readonly refusal: ApiKeyRefusal | undefined;
  /** The stored record of a refused key (revoked, expired, rotated out); never used as an identity. */
  readonly refused: ApiKeyFacts | undefined;
}

/** API-key lookup with its caches (src/keys/api-key-resolver.ts): what `key-auth` asks. */
export interface ApiKeyLookup {
  /**
   * Answers without the store when it can (checksum, HMAC, caches); otherwise hands over the hash for
   * `resolveHash`. `connection` (the request's socket) lets a connection's last key be remembered.
   */
  resolveCached(presented: string, connection?: object): ApiKeyAnswer | { done: false; hash: string };
  /** Resolves a hash `resolveCached` could not answer, from the store. */
  resolveHash(hex: string): Promise<ApiKeyAnswer>;
}

/**
 * The node's GeoIP country database (`geoip.database`, src/server/geoip.ts): what `access-rules` asks for
 * `request.country`.
 */
export interface CountryLookup {
  /** ISO 3166-1 alpha-2 code of the address's country ("FR"), or '' when the database does not know it. */
  country(ip: string): string;
}
