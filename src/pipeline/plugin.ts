/**
 * The plugin contract. A plugin is a plain object: a name, a JSON schema for its config, and a `create`
 * that turns one validated config into handlers for the phases it uses. `create` runs once per config at
 * snapshot-compile time, never per request; handlers run on the hot path and should do no I/O they can
 * avoid. A handler stops the pipeline by throwing a `KeywayError` (the client gets its JSON error) or by
 * calling `ctx.respond(...)`.
 */
import type { JsonSchema } from '../model/index.js';
import type { PluginHandlers } from './context.js';
import type { Identities } from './identity.js';
import type { CounterStore, SyncCounterStore } from './counter-store.js';
import type { ApiKeyLookup, BudgetAlertSink, CountryLookup, QuotaAlertSink } from './services.js';

/** Pipeline phases after `route`, in order (DESIGN.md). */
export const PHASES = ['identify', 'authorize', 'limit', 'transform', 'proxy', 'respond', 'log'] as const;

export interface PluginEnv {
  workspace: string;
  /** Consumers and apps of the workspace, as of this snapshot. */
  identities: Identities;
  /** Services shared by every plugin of the node (key store, caches), for plugins that need them. */
  services: PluginServices;
  /**
   * Where this config is attached: `global`, or `service=…`, `route=…`, `consumer=…` joined by commas (the
   * plugin's key without its name), for plugins whose decisions say which level decided. Absent: unknown.
   */
  scope?: string;
  /** The most specific level of `scope` (consumer, route, service, global). Absent: unknown. */
  level?: 'consumer' | 'route' | 'service' | 'global';
  // `ai` (the workspace's AI providers, model aliases and prompt APIs) is declared onto this interface by
  // src/ai/catalog.ts, so the contract names no AI type.
}

/**
 * Node-wide services plugins may use, each optional: a pure config check compiles plugins with none, and
 * a plugin must then cope (answer KW_ERR_AUTH_UNAVAILABLE rather than crash). Extended as capabilities
 * land (the Redis counters next); a plugin takes what it needs at create time.
 */
export interface PluginServices {
  /** API-key lookup with its caches (src/keys/api-key-resolver.ts). */
  readonly apiKeys?: ApiKeyLookup;
  /**
   * Where limit plugins count (src/pipeline/counter-store.ts). Set by the node: the cluster primary's store
   * for a `--workers` worker (src/cluster/primary-store.ts); absent means the plugin's own default.
   */
  readonly counters?: CounterStore;
  /**
   * This node's in-process counters: where `fail_open` limits count while `counters` (Redis) is away
   * (src/limits/guarded-store.ts). Absent (a config check): each limit's own.
   */
  readonly localCounters?: SyncCounterStore;
  /**
   * Where AI spend budgets report crossing their alert threshold (src/observe/alerts/budget-alerts.ts):
   * logged, kept in the alert history, sent to `ai_budget` rules' webhooks. Absent: crossings are not told.
   */
  readonly budgetAlerts?: BudgetAlertSink;
  /**
   * Where day and month quotas report reaching a level a `quota` alert rule wants (80 %, 100 %…):
   * src/observe/alerts/quota-alerts.ts. Absent, or no such rule: nothing is reported.
   */
  readonly quotaAlerts?: QuotaAlertSink;
  /**
   * The node's clock, in epoch milliseconds: what limits count by (rate-limit, quota), key expiry is
   * judged by (key-auth) and JWKS refetch intervals are timed by. Date.now if absent; tests pin it.
   */
  readonly now?: () => number;
  /**
   * The node's GeoIP country database (`geoip.database`): `request.country` in attribute rules. Absent
   * when none is configured: every address's country is then ''.
   */
  readonly geoip?: CountryLookup;
}

export interface PluginDef<C = Record<string, unknown>> {
  name: string;
  description: string;
  /** Validated with ajv (defaults applied, unknown fields rejected) before `create` sees it. */
  configSchema: JsonSchema;
  /** Order inside a phase: higher runs first (auth plugins high, logging low). Default 0. */
  priority?: number;
  create(config: C, env: PluginEnv): PluginHandlers;
}

/**
 * What `create` throws for a config the schema accepted but the plugin cannot use (a CEL rule that does
 * not compile, a CIDR that does not parse): `path` is the JSON pointer of the field inside the config
 * (`/rules/2/when`), so the refused change names it as `/config/rules/2/when`.
 */
export class PluginConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'PluginConfigError';
  }
}

/** Helper that keeps the config type of a plugin definition. */
export function definePlugin<C>(def: PluginDef<C>): PluginDef<C> {
  return def;
}
