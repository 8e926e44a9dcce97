/**
 * The plugin contract. A plugin is a plain object: a name, a JSON schema for its config, and a `create`
 * that turns one validated config into handlers for the phases it uses. `create` runs once per config at
 * snapshot-compile time, never per request; handlers run on the hot path and should do no I/O they can
 * avoid. A handler stops the pipeline by throwing a `KeywayError` (the client gets its JSON error) or by
 * calling `ctx.respond(...)`.
 */
import type { KeywayError } from '../core/errors.js';
import type { JsonSchema } from '../model/index.js';
import type { RequestContext } from '../proxy/context.js';
import type { ApiKeyResolver } from '../keys/api-key-resolver.js';
import type { IdentityIndex } from '../snapshot/identities.js';
import type { CounterStore } from '../limits/counter-store.js';
import type { LocalCounterStore } from '../limits/local-store.js';
import type { AiCatalog } from '../ai/catalog.js';
import type { BudgetAlertSink } from '../observe/alerts/budget-alerts.js';
import type { QuotaAlertSink } from '../observe/alerts/quota-alerts.js';
import type { Dispatcher } from 'undici';
import type { JwtKeySources } from '../keys/jwt/verify-jwt.js';
import type { IntrospectionCaches } from './oauth2-introspection/token-cache.js';
import type { TrustVerifiers } from './mtls-auth/trust.js';
import type { KeyState } from '../ai/engine/key-state.js';

/** Pipeline phases after `route`, in order (DESIGN.md). */
export const PHASES = ['identify', 'authorize', 'limit', 'transform', 'proxy', 'respond', 'log'] as const;
export type Phase = (typeof PHASES)[number];

export type PhaseHandler = (ctx: RequestContext) => void | Promise<void>;

export interface PluginHandlers {
  identify?: PhaseHandler;
  authorize?: PhaseHandler;
  limit?: PhaseHandler;
  transform?: PhaseHandler;
  /** Replaces forwarding: the handler must answer through `ctx.respond`. */
  proxy?: PhaseHandler;
  /**
   * For a plugin that answers the route itself (`proxy`): the body of every error answered on the route,
   * by any plugin or the pipeline (a 401 of key-auth, a 429 of rate-limit), for clients that parse their
   * own API's error format — the AI endpoints answer in the OpenAI and Anthropic SDKs' shapes. The status,
   * headers (Retry-After, WWW-Authenticate) and `KW_ERR_*` code stay the error's; it may add headers with
   * `ctx.res.setHeader` (the AI routes' `x-should-retry`). Absent: Keyway's shape.
   */
  errorBody?: (ctx: RequestContext, err: KeywayError) => unknown;
  /** Runs after the upstream answered and before its headers reach the client: edit `ctx.response.headers`. */
  respond?: (ctx: RequestContext) => void;
  /** Runs after the response finished. Must not throw or block. */
  log?: (ctx: RequestContext) => void;
  /**
   * Work to finish before the snapshot serves (loading tables that would block the event loop on the
   * first request instead); the node waits for it before swapping the snapshot in. Not run by config
   * checks, which compile plugins without serving them.
   */
  prepare?: () => Promise<void>;
  /** Releases what `create` acquired (timers, pools) when the snapshot is retired. */
  close?: () => void | Promise<void>;
}

export interface PluginEnv {
  workspace: string;
  /** Consumers and apps of the workspace, as of this snapshot. */
  identities: IdentityIndex;
  /** Services shared by every plugin of the node (key store, caches), for plugins that need them. */
  services: PluginServices;
  /** The workspace's AI providers, model aliases and prompt APIs (src/ai/catalog.ts). */
  ai?: AiCatalog;
}

/**
 * Node-wide services plugins may use, each optional: a pure config check compiles plugins with none, and
 * a plugin must then cope (answer KW_ERR_AUTH_UNAVAILABLE rather than crash). Extended as capabilities
 * land (the Redis counters next); a plugin takes what it needs at create time.
 */
export interface PluginServices {
  /** API-key lookup with its caches (src/keys/api-key-resolver.ts). */
  readonly apiKeys?: ApiKeyResolver;
  /**
   * Where limit plugins count (src/limits/counter-store.ts). Set by the node: the cluster primary's store
   * for a `--workers` worker (src/limits/primary-store.ts); absent means the plugin's own default.
   */
  readonly counters?: CounterStore;
  /**
   * This node's in-process counters: where `fail_open` limits count while `counters` (Redis) is away
   * (src/limits/guarded-store.ts). Absent (a config check): each limit's own.
   */
  readonly localCounters?: LocalCounterStore;
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
  /** Reports a bug (a non-Keyway error) caught inside a plugin, logged with the request id. */
  readonly onBug?: (ctx: RequestContext, err: unknown) => void;
  /** The node's JWKS and discovery caches (src/keys/jwt/), kept across reloads. Absent: per plugin instance. */
  readonly jwtKeys?: JwtKeySources;
  /** The node's token introspection caches (oauth2-introspection). Absent: per plugin instance. */
  readonly introspection?: IntrospectionCaches;
  /** The node's client-certificate verifiers and the verdicts they remember (mtls-auth). Absent: per instance. */
  readonly certificateTrust?: TrustVerifiers;
  /** The node's AI provider key cooldowns and rotation (src/ai/engine/key-state.ts). Absent: per engine. */
  readonly aiKeys?: KeyState;
  /** The node's keep-alive pool for AI provider calls (src/ai/engine/upstream.ts). Absent: per engine. */
  readonly providerAgent?: Dispatcher;
  /** The clock of time-based decisions that are not on every request (JWKS refetch intervals); Date.now if absent. */
  readonly now?: () => number;
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

/** Helper that keeps the config type of a plugin definition. */
export function definePlugin<C>(def: PluginDef<C>): PluginDef<C> {
  return def;
}
