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
export type { Upstream, Target } from './upstream.js';
export type { Workspace } from './workspace.js';
export { DEFAULT_WORKSPACE, workspaceSchema } from './workspace.js';
export { pluginKey } from './plugin.js';

export interface ResourceTypes {
  services: Service;
  routes: Route;
  upstreams: Upstream;
  consumers: Consumer;
  apps: App;
  plugins: PluginConfig;
  plans: Plan;
  ai_providers: AiProvider;
  ai_models: AiModel;
  prompt_apis: PromptApi;
}

export type ResourceKind = keyof ResourceTypes;

/** Order matters: referenced kinds come first, so creating in this order never dangles. */
export const RESOURCE_KINDS = [
  'upstreams',
  'services',
  'routes',
  'plans',
  'consumers',
  'apps',
  'ai_providers',
  'ai_models',
  'prompt_apis',
  'plugins',
] as const satisfies readonly ResourceKind[];

export interface KindDef<K extends ResourceKind> {
  kind: K;
  /** Singular, for messages: `service "weather" not found`. */
  singular: string;
  schema: JsonSchema;
  key(resource: ResourceTypes[K]): string;
  /** Fields naming another resource of this workspace. */
  references: ReadonlyArray<{ field: string; kind: ResourceKind }>;
}

export const KINDS: { [K in ResourceKind]: KindDef<K> } = {
  upstreams: {
    kind: 'upstreams',
    singular: 'upstream',
    schema: upstreamSchema,
    key: (r) => r.name,
    references: [],
  },
  services: {
    kind: 'services',
    singular: 'service',
    schema: serviceSchema,
    key: (r) => r.name,
    references: [],
  },
  routes: {
    kind: 'routes',
    singular: 'route',
    schema: routeSchema,
    key: (r) => r.name,
    references: [{ field: 'service', kind: 'services' }],
  },
  consumers: {
    kind: 'consumers',
    singular: 'consumer',
    schema: consumerSchema,
    key: (r) => r.username,
    references: [{ field: 'plan', kind: 'plans' }],
  },
  apps: {
    kind: 'apps',
    singular: 'app',
    schema: appSchema,
    key: (r) => r.name,
    references: [
      { field: 'consumer', kind: 'consumers' },
      { field: 'plan', kind: 'plans' },
    ],
  },
  plans: {
    kind: 'plans',
    singular: 'plan',
    schema: planSchema,
    key: (r) => r.name,
    references: [],
  },
  ai_providers: {
    kind: 'ai_providers',
    singular: 'AI provider',
    schema: aiProviderSchema,
    key: (r) => r.name,
    references: [],
  },
  // Targets, fallbacks and prompt models are checked when the AI catalog compiles (src/ai/catalog.ts):
  // they are nested, or name either an alias or `provider/model`.
  ai_models: {
    kind: 'ai_models',
    singular: 'AI model',
    schema: aiModelSchema,
    key: (r) => r.name,
    references: [],
  },
  prompt_apis: {
    kind: 'prompt_apis',
    singular: 'prompt API',
    schema: promptApiSchema,
    key: (r) => r.name,
    references: [],
  },
  plugins: {
    kind: 'plugins',
    singular: 'plugin',
    schema: pluginSchema,
    key: (r) => pluginKey(r),
    references: [
      { field: 'service', kind: 'services' },
      { field: 'route', kind: 'routes' },
      { field: 'consumer', kind: 'consumers' },
    ],
  },
};

/** A stored resource: the user's fields plus id and timestamps. */
export type Stored<K extends ResourceKind> = ResourceTypes[K] & {
  id: string;
  created_at: string;
  updated_at: string;
};

/** Everything one workspace holds, as the snapshot compiler and the declarative file see it. */
export interface WorkspaceState {
  name: string;
  description?: string;
  tags?: string[];
  services: Stored<'services'>[];
  routes: Stored<'routes'>[];
  upstreams: Stored<'upstreams'>[];
  consumers: Stored<'consumers'>[];
  apps: Stored<'apps'>[];
  plugins: Stored<'plugins'>[];
  plans: Stored<'plans'>[];
  ai_providers: Stored<'ai_providers'>[];
  ai_models: Stored<'ai_models'>[];
  prompt_apis: Stored<'prompt_apis'>[];
}

/** The whole configuration at one version: what a snapshot is compiled from. */
export interface ConfigState {
  version: number;
  workspaces: WorkspaceState[];
}

/** A workspace with nothing in it yet (every resource kind present, empty). */
export function emptyWorkspaceState(name: string): WorkspaceState {
  return {
    name,
    services: [],
    routes: [],
    upstreams: [],
    consumers: [],
    apps: [],
    plugins: [],
    plans: [],
    ai_providers: [],
    ai_models: [],
    prompt_apis: [],
  };
}
