/**
 * AI spend and tokens as `GET /usage` and `keyway usage` report them, next to quotas: for the key, app or
 * consumer asked about, each budget that applies to it — from its plan's `ai` section and from the
 * workspace's ai-proxy configs that can apply to it (not consumer-scoped, or scoped to its consumer) —
 * with the spend of the current period, and the tokens per minute available right now. Counters are read,
 * never charged. As for quotas, a budget kept per something finer than the question (per key, asked about
 * an app) is listed without figures.
 */
import type { CounterStore } from '../../pipeline/counter-store.js';
import type { Plan, WorkspaceState } from '../../model/index.js';
import type { Identity } from '../../pipeline/identity.js';
import { PeriodCache } from '../../core/quota-period.js';
import type { AiCatalog } from '../catalog.js';
import { budgetRule, compileAiLimits, usdOf, type CompiledAiLimits } from './compile.js';
import type { AiKeySource, AiLimits } from '../../model/ai-limit-schema.js';
import { aiCounterKey } from './subjects.js';
import type { AiPolicyConfig } from './index.js';

export interface AiBudgetUsage {
  name: string;
  /** `plugin` (an ai-proxy config) or `plan:<name>`. */
  source: string;
  usd: number;
  period: string;
  counted_per: string;
  spent_usd?: number;
  remaining_usd?: number;
  period_id?: string;
  resets_at?: string;
}

export interface AiTokenUsage {
  source: string;
  tokens_per_minute: number;
  counted_per: string;
  /** Tokens a call could use right now (0 while the caller owes). */
  available?: number;
}

export interface AiUsageReport {
  budgets: AiBudgetUsage[];
  tokens: AiTokenUsage[];
}

export async function aiUsage(
  ws: WorkspaceState,
  counters: CounterStore,
  who: { identity: Identity; plan: Plan | undefined; level: 'key' | 'app' | 'consumer' },
  now: number,
): Promise<AiUsageReport> {
  const report: AiUsageReport = { budgets: [], tokens: [] };
  const sets: Array<{ limits: CompiledAiLimits; plan: string | undefined }> = [];
  // Allow-lists play no part in a usage report: no catalog needed to resolve aliases.
  const noAliases: Pick<AiCatalog, 'aliases'> = { aliases: new Map() };
  const compiled = (spec: AiLimits, origin: 'cfg' | 'plan', plan: string | undefined) => {
    try {
      return compileAiLimits(spec, origin, plan, noAliases);
    } catch {
      // A config the snapshot refuses (two budgets of one name) is reported there, not here.
      return undefined;
    }
  };
  for (const p of ws.plugins) {
    if (p.name !== 'ai-proxy' || p.enabled === false) continue;
    if (p.consumer !== undefined && p.consumer !== who.identity.consumerName) continue;
    const config = (p.config ?? {}) as AiPolicyConfig;
    const plan = config.plan ?? (config.use_plans === false ? undefined : who.plan?.name);
    const limits = compiled(config, 'cfg', undefined);
    if (limits !== undefined) sets.push({ limits, plan });
  }
  const fromPlan = who.plan?.ai === undefined ? undefined : compiled(who.plan.ai, 'plan', who.plan.name);
  if (fromPlan !== undefined) sets.push({ limits: fromPlan, plan: who.plan?.name });

  const periods = new PeriodCache();
  const probe = { identity: who.identity, clientIp: '', route: { id: '' }, req: { headers: {} } };
  // Per-request sources cannot be attributed, nor finer levels than asked.
  const finer = who.level === 'consumer' ? ['key', 'app'] : who.level === 'app' ? ['key'] : [];
  const countable = (by: readonly AiKeySource[]): boolean => !by.some((s) => finer.includes(s));
  const seen = new Set<string>();
  for (const { limits, plan } of sets) {
    for (const b of limits.budgets) {
      const key = aiCounterKey(ws.name, b.id, probe, b.by, plan);
      // Configs attached to several services may repeat a budget: same name, same counter.
      if (seen.has(key)) continue;
      seen.add(key);
      const entry: AiBudgetUsage = {
        name: b.name,
        source: limits.source,
        usd: b.usd,
        period: b.unit,
        counted_per: b.by.join('+'),
      };
      report.budgets.push(entry);
      if (!countable(b.by)) continue;
      const rule = budgetRule(b, periods, now);
      const d = await counters.peekQuota(key, rule, now);
      entry.spent_usd = usdOf(d.used);
      entry.remaining_usd = usdOf(Math.max(0, b.limitMicro - d.used));
      entry.period_id = rule.periodId;
      entry.resets_at = new Date(rule.periodEndMs).toISOString();
    }
    const tpm = limits.tpm;
    if (tpm === undefined) continue;
    const key = aiCounterKey(ws.name, tpm.id, probe, limits.by, plan);
    if (seen.has(key)) continue;
    seen.add(key);
    const entry: AiTokenUsage = {
      source: limits.source,
      tokens_per_minute: tpm.rule.limit,
      counted_per: limits.by.join('+'),
    };
    report.tokens.push(entry);
    if (countable(limits.by)) entry.available = (await counters.consumeRate(key, tpm.rule, 0, now)).remaining;
  }
  return report;
}
