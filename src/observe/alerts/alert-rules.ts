/**
 * Alert rules as stored, and their validation. Kinds:
 *  - `error_rate`: 5xx share (%) of calls in the scope over the last `window_minutes` is above `threshold`
 *    (and at least `min_requests` calls were made, so two failures out of three is not an incident);
 *  - `latency_p99`: p99 latency (ms) over the window is above `threshold`;
 *  - `auth_failures`: one client IP (or credential id, `scope.per`) was refused more than `threshold`
 *    times in the window — counted by each node in memory, so in a cluster it is per node;
 *  - `ai_budget`: where AI spend budget alerts go (src/observe/alerts/budget-alerts.ts). Not evaluated on
 *    a timer: the data plane reports each budget crossing its `alert_at` percent (and 100 %) once per
 *    period and subject; the rule receives those at or above `threshold` percent, for `scope.consumer`
 *    only when set;
 *  - `quota`: a day or month quota reaching `threshold` percent (default 80) and 100 % (used up), reported
 *    by the quota plugin once per period and subject (src/observe/alerts/quota-alerts.ts);
 *  - `new_network`: a credential used from a network it was not seen from in the look-back window
 *    (src/observe/alerts/network-alerts.ts); `network` holds its prefix lengths, look-back and learning;
 *  - `subscription`: a subscription waiting for an admin's approval (`subscription.pending`,
 *    src/observe/alerts/subscription-alerts.ts); `scope.service` narrows it to one service.
 *  - `upstream_health`: a target turning unhealthy or healthy, a circuit breaker opening, half-opening or
 *    closing (src/observe/alerts/health-alerts.ts); no scope, no threshold.
 * `quota`, `new_network`, `subscription` and `upstream_health` alerts are events: they fire and never resolve.
 * The webhook secret is write-only: answers say `has_secret`, never the value.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KeywayError } from '../../core/errors.js';
import type { ObserveDb } from '../store/observe-db.js';
import type { AlertRuleTable } from '../store/schema.js';

export const RULE_KINDS = [
  'error_rate',
  'latency_p99',
  'auth_failures',
  'ai_budget',
  'quota',
  'new_network',
  'subscription',
  'upstream_health',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Kinds the data plane reports as events; the timer-driven engine has nothing to measure for them. */
export const EVENT_KINDS: ReadonlySet<RuleKind> = new Set<RuleKind>([
  'ai_budget',
  'quota',
  'new_network',
  'subscription',
  'upstream_health',
]);

/** What a `new_network` rule calls a network, and how long it remembers one. */
export interface NetworkOptions {
  /** IPv4 addresses in one network share this many leading bits (default 24). */
  ipv4_prefix: number;
  /** IPv6 addresses likewise (default 48: one site). */
  ipv6_prefix: number;
  /** A network not seen for this many days is new again (default 30). */
  lookback_days: number;
  /**
   * Hours after a credential's first call during which its networks are learned, not alerted (default
   * 24). Its very first network is never alerted, whatever this says.
   */
  learning_hours: number;
}

export const NETWORK_DEFAULTS: NetworkOptions = {
  ipv4_prefix: 24,
  ipv6_prefix: 48,
  lookback_days: 30,
  learning_hours: 24,
};

/** `quota` rules without a threshold are told at 80 % (and at 100 %, as every quota rule is). */
export const QUOTA_DEFAULT_THRESHOLD = 80;

export interface RuleScope {
  service?: string;
  route?: string;
  consumer?: string;
  per?: 'ip' | 'credential';
}

export interface AlertRule {
  id: string;
  name: string;
  kind: RuleKind;
  threshold: number;
  window_minutes: number;
  min_requests: number;
  scope: RuleScope;
  webhook_url: string;
  enabled: boolean;
  created_at: string;
  /** `new_network` rules only. */
  network?: NetworkOptions;
}

export interface NewRule {
  name: string;
  kind: RuleKind;
  /** Required, except for `quota` (default 80) and `new_network` (which has none). */
  threshold?: number;
  window_minutes?: number;
  min_requests?: number;
  scope?: RuleScope;
  webhook_url: string;
  /** Generated when absent; returned once, in the answer to the create. */
  secret?: string;
  enabled?: boolean;
  /** `new_network` only; each field defaults (NETWORK_DEFAULTS). */
  network?: Partial<NetworkOptions>;
}

export const newRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'webhook_url'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    kind: { enum: RULE_KINDS },
    threshold: { type: 'number', minimum: 0 },
    window_minutes: { type: 'integer', minimum: 1, maximum: 1440 },
    min_requests: { type: 'integer', minimum: 0 },
    scope: {
      type: 'object',
      additionalProperties: false,
      properties: {
        service: { type: 'string' },
        route: { type: 'string' },
        consumer: { type: 'string' },
        per: { enum: ['ip', 'credential'] },
      },
    },
    webhook_url: { type: 'string', pattern: '^https?://', maxLength: 2048 },
    secret: { type: 'string', minLength: 16, maxLength: 256 },
    enabled: { type: 'boolean' },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // Below /8 (IPv4) or /16 (IPv6) every address is "the same network" and the rule says nothing.
        ipv4_prefix: { type: 'integer', minimum: 8, maximum: 32 },
        ipv6_prefix: { type: 'integer', minimum: 16, maximum: 128 },
        // Networks are kept a year after they were last seen (retention), so the window cannot be longer.
        lookback_days: { type: 'integer', minimum: 1, maximum: 365 },
        learning_hours: { type: 'integer', minimum: 0, maximum: 8760 },
      },
    },
  },
} as const;

function fromRow(r: AlertRuleTable): AlertRule {
  const rule: AlertRule = {
    id: r.id,
    name: r.name,
    kind: r.kind as RuleKind,
    threshold: Number(r.threshold),
    window_minutes: Number(r.window_minutes),
    min_requests: Number(r.min_requests),
    scope: JSON.parse(r.scope) as RuleScope,
    webhook_url: r.webhook_url,
    enabled: Number(r.enabled) === 1,
    created_at: r.created_at,
  };
  if (rule.kind === 'new_network') {
    rule.network = { ...NETWORK_DEFAULTS, ...(JSON.parse(r.options) as Partial<NetworkOptions>) };
  }
  return rule;
}

function invalid(path: string, message: string): KeywayError {
  return new KeywayError('KW_ERR_VALIDATION', { reason: message }, { details: [{ path, message }] });
}

/** What the JSON schema cannot say: which fields each kind takes. Returns the rule with its defaults. */
function checkKind(input: NewRule): NewRule & { threshold: number } {
  const { kind } = input;
  const scoped = (allowed: readonly (keyof RuleScope)[], what: string): void => {
    const stray = (['service', 'route', 'consumer', 'per'] as const).find(
      (f) => input.scope?.[f] !== undefined && !allowed.includes(f),
    );
    if (stray !== undefined)
      throw invalid(`/scope/${stray}`, `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} rule ${what}`);
  };
  if (input.network !== undefined && kind !== 'new_network')
    throw invalid('/network', 'only a new_network rule takes network settings');
  switch (kind) {
    case 'ai_budget':
      scoped(['consumer'], 'can only be scoped to a consumer');
      break;
    case 'quota':
      scoped(['consumer', 'route'], 'can only be scoped to a consumer and a route');
      if (input.threshold !== undefined && (input.threshold <= 0 || input.threshold > 100))
        throw invalid(
          '/threshold',
          'a quota rule threshold is a percent of the quota, above 0 and at most 100',
        );
      return { ...input, threshold: input.threshold ?? QUOTA_DEFAULT_THRESHOLD };
    case 'subscription':
      scoped(['service'], 'can only be scoped to a service');
      if (input.threshold !== undefined)
        throw invalid(
          '/threshold',
          'a subscription rule has no threshold: every pending subscription is told',
        );
      return { ...input, threshold: 0 };
    case 'upstream_health':
      scoped([], 'takes no scope: every change of every upstream is told');
      if (input.threshold !== undefined)
        throw invalid('/threshold', 'an upstream_health rule has no threshold: every change is told');
      return { ...input, threshold: 0 };
    case 'new_network':
      scoped(['consumer'], 'can only be scoped to a consumer');
      if (input.threshold !== undefined)
        throw invalid('/threshold', 'a new_network rule has no threshold: every new network is told');
      return { ...input, threshold: 0 };
    case 'auth_failures':
      if (input.scope?.per === undefined) input = { ...input, scope: { ...input.scope, per: 'ip' } };
      break;
    default:
      break;
  }
  if (input.threshold === undefined) throw invalid('/threshold', `a ${kind} rule needs a threshold`);
  return { ...input, threshold: input.threshold };
}

export class AlertRuleStore {
  readonly #listeners: Array<() => Promise<void>> = [];

  constructor(private readonly store: ObserveDb) {}

  /**
   * Called after this node created or deleted a rule (and awaited: the answer to the admin call comes
   * once the data plane's cached rules have it). Other nodes of the store see it at their next refresh.
   */
  onChange(listener: () => Promise<void>): void {
    this.#listeners.push(listener);
  }

  private async changed(): Promise<void> {
    for (const l of this.#listeners) await l();
  }

  async list(): Promise<AlertRule[]> {
    const rows = await this.store.db.selectFrom('alert_rules').selectAll().orderBy('name').execute();
    return rows.map(fromRow);
  }

  /** Rules with their secrets, for the engine only. */
  async active(): Promise<Array<AlertRule & { secret: string }>> {
    const rows = await this.store.db.selectFrom('alert_rules').selectAll().where('enabled', '=', 1).execute();
    return rows.map((r) => ({ ...fromRow(r), secret: r.secret }));
  }

  async create(input: NewRule, now = new Date()): Promise<AlertRule & { secret: string }> {
    const existing = await this.store.db
      .selectFrom('alert_rules')
      .select('id')
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (existing !== undefined)
      throw new KeywayError('KW_ERR_CONFLICT', { reason: `alert rule "${input.name}" already exists` });
    const checked = checkKind(input);
    const secret = checked.secret ?? randomBytes(32).toString('base64url');
    const row: AlertRuleTable = {
      id: randomUUID(),
      name: checked.name,
      kind: checked.kind,
      threshold: checked.threshold,
      window_minutes: checked.window_minutes ?? 5,
      min_requests:
        checked.min_requests ?? (checked.kind === 'error_rate' || checked.kind === 'latency_p99' ? 20 : 0),
      scope: JSON.stringify(checked.scope ?? {}),
      webhook_url: checked.webhook_url,
      secret,
      enabled: checked.enabled === false ? 0 : 1,
      created_at: now.toISOString(),
      options: JSON.stringify(
        checked.kind === 'new_network' ? { ...NETWORK_DEFAULTS, ...checked.network } : {},
      ),
    };
    await this.store.db.insertInto('alert_rules').values(row).execute();
    await this.changed();
    return { ...fromRow(row), secret };
  }

  async delete(idOrName: string): Promise<void> {
    const r = await this.store.db
      .deleteFrom('alert_rules')
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'alert rule', name: idOrName });
    await this.changed();
  }
}
