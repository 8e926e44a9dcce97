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
 *    only when set.
 * The webhook secret is write-only: answers say `has_secret`, never the value.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KeywayError } from '../../core/errors.js';
import type { ObserveDb } from '../store/observe-db.js';
import type { AlertRuleTable } from '../store/schema.js';

export const RULE_KINDS = ['error_rate', 'latency_p99', 'auth_failures', 'ai_budget'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

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
}

export interface NewRule {
  name: string;
  kind: RuleKind;
  threshold: number;
  window_minutes?: number;
  min_requests?: number;
  scope?: RuleScope;
  webhook_url: string;
  /** Generated when absent; returned once, in the answer to the create. */
  secret?: string;
  enabled?: boolean;
}

export const newRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'threshold', 'webhook_url'],
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
  },
} as const;

function fromRow(r: AlertRuleTable): AlertRule {
  return {
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
}

export class AlertRuleStore {
  constructor(private readonly store: ObserveDb) {}

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
    if (input.kind === 'ai_budget') {
      const stray = (['service', 'route', 'per'] as const).find((f) => input.scope?.[f] !== undefined);
      if (stray !== undefined) {
        const message = 'an ai_budget rule can only be scoped to a consumer';
        throw new KeywayError(
          'KW_ERR_VALIDATION',
          { reason: message },
          { details: [{ path: `/scope/${stray}`, message }] },
        );
      }
    }
    if (input.kind === 'auth_failures' && input.scope?.per === undefined) {
      input = { ...input, scope: { ...input.scope, per: 'ip' } };
    }
    const secret = input.secret ?? randomBytes(32).toString('base64url');
    const row: AlertRuleTable = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      threshold: input.threshold,
      window_minutes: input.window_minutes ?? 5,
      min_requests:
        input.min_requests ?? (input.kind === 'auth_failures' || input.kind === 'ai_budget' ? 0 : 20),
      scope: JSON.stringify(input.scope ?? {}),
      webhook_url: input.webhook_url,
      secret,
      enabled: input.enabled === false ? 0 : 1,
      created_at: now.toISOString(),
    };
    await this.store.db.insertInto('alert_rules').values(row).execute();
    return { ...fromRow(row), secret };
  }

  async delete(idOrName: string): Promise<void> {
    const r = await this.store.db
      .deleteFrom('alert_rules')
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'alert rule', name: idOrName });
  }
}
