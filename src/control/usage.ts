/**
 * Quota usage as the admin API (`GET /usage`) and `keyway usage` report it: for a key, an app or a
 * consumer, the plan that applies (same precedence as the request path) and, per quota of that plan,
 * used / remaining in the current period and when it renews. Counters are read, never consumed (a
 * rolling quota is read with a cost-0 GCRA call). AI budgets and tokens per minute are reported alongside.
 *
 * A quota is counted per its `by`: asking about an app reports the quotas kept per app, consumer or
 * plan; a quota kept per key is reported as such (ask with `key=`), since an app's keys each have one.
 */
import { aiUsage, type AiUsageReport } from '../ai/policy/usage.js';
import type { WorkspaceState } from '../model/index.js';
import type { Identity } from '../pipeline/identity.js';
import { IdentityIndex } from '../snapshot/identities.js';
import type { StoredApiKey } from '../store/types.js';
import { compileQuota, quotaRule } from '../limits/compiled-limits.js';
import { counterKeyOf } from '../limits/counter-keys.js';
import type { CounterStore } from '../pipeline/counter-store.js';
import { planOf } from '../limits/plan-resolver.js';
import { PeriodCache } from '../core/quota-period.js';

export interface QuotaUsage {
  name: string;
  limit: number;
  period: string;
  /** Set when counted: absent for a quota kept per something this question does not name. */
  used?: number;
  remaining?: number;
  period_id?: string;
  resets_at?: string;
  counted_per?: string;
}

export interface UsageReport {
  workspace: string;
  key?: string;
  app?: string;
  consumer?: string;
  plan: string | null;
  quotas: QuotaUsage[];
  /** AI spend budgets and tokens per minute that apply (src/ai/policy/usage.ts). */
  ai: AiUsageReport;
}

export type UsageSubject = { key: StoredApiKey } | { app: string } | { consumer: string };

/** Undefined when the subject is not in the workspace. */
export async function usageReport(
  ws: WorkspaceState,
  counters: CounterStore,
  subject: UsageSubject,
  now: number,
  /** The plan of the subscription the question is about (a service's calls count under it). */
  subscriptionPlan?: string,
): Promise<UsageReport | undefined> {
  const idx = IdentityIndex.build(ws);
  let identity: Identity | undefined;
  let level: 'key' | 'app' | 'consumer';
  if ('key' in subject) {
    const app = idx.appById.get(subject.key.app_id);
    if (app === undefined) return undefined;
    const attributes: Record<string, unknown> = {};
    if (subject.key.tier !== undefined) attributes['tier'] = subject.key.tier;
    identity = idx.appIdentity(app, { credentialId: subject.key.id, attributes });
    level = 'key';
  } else if ('app' in subject) {
    const app = idx.appByName.get(subject.app);
    if (app === undefined) return undefined;
    identity = idx.appIdentity(app);
    level = 'app';
  } else {
    const c = idx.consumerByUsername.get(subject.consumer);
    if (c === undefined) return undefined;
    identity = idx.consumerIdentity(c);
    level = 'consumer';
  }
  const plan = planOf(
    identity,
    idx,
    subscriptionPlan === undefined ? undefined : idx.planByName.get(subscriptionPlan),
  );
  const ai = await aiUsage(ws, counters, { identity, plan, level }, now);
  const report: UsageReport = { workspace: ws.name, plan: plan?.name ?? null, quotas: [], ai };
  if ('key' in subject) report.key = subject.key.id;
  if (identity.appName !== undefined) report.app = identity.appName;
  report.consumer = identity.consumerName;
  if (plan === undefined) return report;

  const periods = new PeriodCache();
  const probe = { identity, clientIp: '', route: { id: '' }, req: { headers: {} } };
  for (const spec of plan.quotas ?? []) {
    const q = compileQuota(spec, 'plan');
    const by = q.by ?? ['key'];
    const entry: QuotaUsage = {
      name: q.name,
      limit: q.limit,
      period: spec.period,
      counted_per: by.join('+'),
    };
    report.quotas.push(entry);
    // Per-request sources (IP, header, route) and finer levels than asked cannot be attributed.
    const finer = level === 'consumer' ? ['key', 'app'] : level === 'app' ? ['key'] : [];
    if (by.some((s) => s === 'ip' || s === 'header' || s === 'route' || finer.includes(s))) continue;
    const key = counterKeyOf(`${ws.name}:`, q, probe, plan.name);
    if (q.rolling !== undefined) {
      const d = await counters.consumeRate(key, q.rolling, 0, now);
      entry.used = q.limit - d.remaining;
      entry.remaining = d.remaining;
      entry.resets_at = new Date(now + d.resetMs).toISOString();
      continue;
    }
    const rule = quotaRule(q, periods, now);
    const d = await counters.peekQuota(key, rule, now);
    entry.used = d.used;
    entry.remaining = d.remaining;
    entry.period_id = rule.periodId;
    entry.resets_at = new Date(rule.periodEndMs).toISOString();
  }
  return report;
}
