/**
 * The resource kinds of the control plane. Each kind has a schema (for the admin API, the declarative
 * file and the store alike), a function giving its unique key inside a workspace, and the references it
 * makes to other kinds (checked on every change).
 */
import type { JsonSchema } from './common.js';
import { aiModelSchema, type AiModel } from './ai-model.js';
import { aiProviderSchema, type AiProvider } from './ai-provider.js';
import { appSchema, type App } from './app.js';
import { consumerSchema, type Consumer } from './consumer.js';
import { pluginKey, pluginSchema, type PluginConfig } from './plugin.js';
import { planSchema, type Plan } from './plan.js';
import { promptApiSchema, type PromptApi } from './prompt-api.js';
import { routeSchema, type Route } from './route.js';
import { serviceSchema, type Service } from './service.js';
import { subscriptionKey, subscriptionSchema, type Subscription } from './subscription.js';
import { upstreamSchema, type Upstream } from './upstream.js';

export type { Meta, JsonSchema } from './common.js';
export type { AiModel, AiModelTarget } from './ai-model.js';
export type { AiProvider, AiProviderKey, AiProviderType } from './ai-provider.js';
export type { PromptApi, PromptVariable } from './prompt-api.js';
export type { App } from './app.js';
export type { Consumer } from './consumer.js';
export type { PluginConfig } from './plugin.js';
export type { Plan } from './plan.js';
export type { Route } from './route.js';
export type { Service } from './service.js';
export type { Subscription, SubscriptionStatus } from './subscription.js';
export { SUBSCRIPTION_STATUSES, subscriptionKey } from './subscription.js';
export type { Upstream, Target } from './upstream.js';
export type { Workspace } from './workspace.js';
export { DEFAULT_WORKSPACE, workspaceSchema } from './workspace.js';
export { pluginKey, pluginLevel, pluginScope } from './plugin.js';

/** What the registry keeps of each kind; its type parameter is the kind's resource type. */
interface KindEntry<T> {
  /** Singular, for messages: `service "weather" not found`. */
  singular: string;
  schema: JsonSchema;
  /** The resource's unique key inside its workspace. */
  key(resource: T): string;
  /** Fields naming another resource of this workspace (their kinds are checked by src/model/kinds.test.ts). */
  references: ReadonlyArray<{ field: keyof T & string; kind: string }>;
  /**
   * Created after every other kind and deleted before them: set for kinds whose fields may name
   * resources of any kind beyond `references` (a plugin's config names plans, AI models…).
   */
  applyLast?: true;
}

/** An entry, carrying its resource type for `ResourceTypes` (type-level only: never set at run time). */
type TypedEntry<T> = KindEntry<T> & { readonly resourceType: T };

function kind<T>(entry: KindEntry<T>): TypedEntry<T> {
  return entry as TypedEntry<T>;
}

/**
 * The resource kinds: the one list of them. Everything per kind is derived from here (the resource
 * types, the admin API's routes and OpenAPI schemas, the declarative document and its export, the
 * workspace state, the store's tables), so a new kind is its model file (schema and type), its table
 * migration (src/store/migrations/) and one entry here.
 *
 * In the order of the declarative document and its export. Changes apply in the same order (referenced
 * kinds first, so creating in this order never dangles), `applyLast` kinds last.
 */
const REGISTRY = {
  upstreams: kind<Upstream>({
    singular: 'upstream',
    schema: upstreamSchema,
    key: (r) => r.name,
    references: [],
  }),
  services: kind<Service>({
    singular: 'service',
    schema: serviceSchema,
    key: (r) => r.name,
    references: [],
  }),
  routes: kind<Route>({
    singular: 'route',
    schema: routeSchema,
    key: (r) => r.name,
    references: [{ field: 'service', kind: 'services' }],
  }),
  plans: kind<Plan>({
    singular: 'plan',
    schema: planSchema,
    key: (r) => r.name,
    references: [],
  }),
  consumers: kind<Consumer>({
    singular: 'consumer',
    schema: consumerSchema,
    key: (r) => r.username,
    references: [{ field: 'plan', kind: 'plans' }],
  }),
  apps: kind<App>({
    singular: 'app',
    schema: appSchema,
    key: (r) => r.name,
    references: [
      { field: 'consumer', kind: 'consumers' },
      { field: 'plan', kind: 'plans' },
    ],
  }),
  subscriptions: kind<Subscription>({
    singular: 'subscription',
    schema: subscriptionSchema,
    key: (r) => subscriptionKey(r),
    references: [
      { field: 'app', kind: 'apps' },
      { field: 'service', kind: 'services' },
      { field: 'plan', kind: 'plans' },
    ],
  }),
  plugins: kind<PluginConfig>({
    singular: 'plugin',
    schema: pluginSchema,
    key: (r) => pluginKey(r),
    references: [
      { field: 'service', kind: 'services' },
      { field: 'route', kind: 'routes' },
      { field: 'consumer', kind: 'consumers' },
    ],
    applyLast: true,
  }),
  ai_providers: kind<AiProvider>({
    singular: 'AI provider',
    schema: aiProviderSchema,
    key: (r) => r.name,
    references: [],
  }),
  // Targets, fallbacks and prompt models are checked when the AI catalog compiles (src/ai/catalog.ts):
  // they are nested, or name either an alias or `provider/model`.
  ai_models: kind<AiModel>({
    singular: 'AI model',
    schema: aiModelSchema,
    key: (r) => r.name,
    references: [],
  }),
  prompt_apis: kind<PromptApi>({
    singular: 'prompt API',
    schema: promptApiSchema,
    key: (r) => r.name,
    references: [],
  }),
};

export type ResourceKind = keyof typeof REGISTRY;

/** Each kind's resource type, as its model file declares it. */
export type ResourceTypes = {
  [K in ResourceKind]: (typeof REGISTRY)[K]['resourceType'];
};

export interface KindDef<K extends ResourceKind> {
  kind: K;
  /** Singular, for messages: `service "weather" not found`. */
  singular: string;
  schema: JsonSchema;
  key(resource: ResourceTypes[K]): string;
  /** Fields naming another resource of this workspace. */
  references: ReadonlyArray<{ field: string; kind: ResourceKind }>;
}

/** Every kind's definition, in document order (`DOCUMENT_KINDS`). */
export const KINDS = Object.fromEntries(
  Object.entries(REGISTRY).map(([k, e]) => [k, { kind: k, ...e }]),
) as unknown as { readonly [K in ResourceKind]: KindDef<K> };

/** The order of the declarative document and of its export. */
export const DOCUMENT_KINDS = Object.keys(REGISTRY) as readonly ResourceKind[];

const applyLast = (k: ResourceKind): boolean => REGISTRY[k].applyLast === true;

/** The order changes apply in: referenced kinds come first, so creating in this order never dangles. */
export const RESOURCE_KINDS: readonly ResourceKind[] = [
  ...DOCUMENT_KINDS.filter((k) => !applyLast(k)),
  ...DOCUMENT_KINDS.filter(applyLast),
];

/** A stored resource: the user's fields plus id and timestamps. */
export type Stored<K extends ResourceKind> = ResourceTypes[K] & {
  id: string;
  created_at: string;
  updated_at: string;
};

/** Every kind's resources of one workspace. */
export type KindLists = { [K in ResourceKind]: Stored<K>[] };

/** Everything one workspace holds, as the snapshot compiler and the declarative file see it. */
export interface WorkspaceState extends KindLists {
  name: string;
  description?: string;
  tags?: string[];
}

/** The whole configuration at one version: what a snapshot is compiled from. */
export interface ConfigState {
  version: number;
  workspaces: WorkspaceState[];
}

/** A workspace with nothing in it yet (every resource kind present, empty). */
export function emptyWorkspaceState(name: string): WorkspaceState {
  const lists = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, []])) as unknown as KindLists;
  return { name, ...lists };
}
