/**
 * The control layer: every change to the configuration goes through here, whether it comes from the
 * admin API (one resource) or from `keyway apply` (a whole declarative file). It validates input against
 * the resource schemas, checks references and route collisions against the whole configuration, writes
 * in one store transaction with an audit row per change, and answers with field paths when it says no.
 */
import type { ResourceKind, ResourceTypes, Stored } from '../model/index.js';
import type { ImportKeyInput } from '../keys/key-schemas.js';
import type { JsonText } from '../core/json-text.js';
import type { ListQuery, Page, StoredWorkspace } from '../store/types.js';
import type { SubscriptionAction } from './subscription-rules.js';

export interface Actor {
  /** Who made the change, for the audit log: the admin token's name, or `cli`, or `system`. */
  name: string;
  /** Why, when the change is more than its actions say (`rollback to version 12`): the history's summary. */
  reason?: string;
}

/** Every kind as a top-level list of the declarative file, as the kind's schema has it. */
export type KindDocLists = { [K in ResourceKind]?: ResourceTypes[K][] };

/**
 * The declarative file: one workspace's desired state (see docs/declarative-config.md). Every kind is a
 * top-level list; services, consumers and apps may also hold what belongs to them. AI provider keys are
 * written as `secret` (sealed by apply), `secret_env`, or `secret_enc` (what export writes).
 */
export interface DeclarativeDoc extends Omit<KindDocLists, 'services' | 'consumers' | 'apps'> {
  _format_version: '1';
  /** `select_tags`: the document manages only the resources carrying all of them (docs/declarative-config.md). */
  _info?: { select_tags?: string[] };
  workspace?: string;
  description?: string;
  services?: (ResourceTypes['services'] & {
    routes?: (Omit<ResourceTypes['routes'], 'service'> & { service?: string; plugins?: NestedPlugin[] })[];
    plugins?: NestedPlugin[];
  })[];
  consumers?: (ResourceTypes['consumers'] & { plugins?: NestedPlugin[]; apps?: NestedApp[] })[];
  apps?: (ResourceTypes['apps'] & { keys?: ImportKeyInput[] })[];
}

/**
 * A provider key as the admin API shows it (docs/ai-secrets.md): the secret is write-only, so only
 * whether it is sealed at rest or read from an environment variable.
 */
export interface ProviderKeyView {
  id: string;
  secret_env?: string;
  /** The key's secret is stored sealed (AES-256-GCM); send it back as is to keep that secret. */
  sealed?: true;
  enabled?: boolean;
}

/** A stored resource as the control layer hands it out: AI providers with their keys redacted. */
export type ResourceView<K extends ResourceKind> = K extends 'ai_providers'
  ? Omit<Stored<'ai_providers'>, 'keys'> & { keys?: ProviderKeyView[] }
  : Stored<K>;

/** An app under its consumer; `keys` are imported by apply and never exported (docs/keys.md). */
export type NestedApp = Omit<ResourceTypes['apps'], 'consumer'> & {
  consumer?: string;
  keys?: ImportKeyInput[];
};

export type NestedPlugin = Omit<ResourceTypes['plugins'], 'service' | 'route' | 'consumer'>;

export interface Change {
  action: 'create' | 'update' | 'delete';
  kind: ResourceKind;
  key: string;
  /** Fields that differ, for updates (top-level field names). */
  fields?: string[];
  /** The resource's fields, as reported and audited: AI provider keys without their secrets. */
  before?: unknown;
  after?: unknown;
  /** For a deleted app: how many API keys that still work go with it. */
  keys?: number;
}

export interface ApplyResult {
  workspace: string;
  dry_run: boolean;
  changes: Change[];
  /** Config version after the apply (unchanged on a dry run or when nothing changed). */
  version: number;
  /** Set when the workspace itself is (or, on a dry run, would be) created or has its description changed. */
  workspace_action?: 'create' | 'update';
  /** Keys listed under apps: how many were (or, on a dry run, would be) imported, and how many were there. */
  keys?: { imported: number; unchanged: number };
}

export interface ConfigService {
  listWorkspaces(): Promise<StoredWorkspace[]>;
  getWorkspace(name: string): Promise<StoredWorkspace>;
  createWorkspace(body: unknown, actor: Actor): Promise<StoredWorkspace>;
  updateWorkspace(name: string, body: unknown, actor: Actor): Promise<StoredWorkspace>;
  deleteWorkspace(name: string, actor: Actor): Promise<void>;

  list<K extends ResourceKind>(kind: K, workspace: string, query: ListQuery): Promise<Page<ResourceView<K>>>;
  get<K extends ResourceKind>(kind: K, workspace: string, idOrKey: string): Promise<ResourceView<K>>;
  create<K extends ResourceKind>(
    kind: K,
    workspace: string,
    body: unknown,
    actor: Actor,
  ): Promise<ResourceView<K>>;
  /** PUT: replace the whole resource, or create it under that key when absent. */
  replace<K extends ResourceKind>(
    kind: K,
    workspace: string,
    idOrKey: string,
    body: unknown,
    actor: Actor,
  ): Promise<ResourceView<K>>;
  /** PATCH: merge top-level fields into the resource. */
  patch<K extends ResourceKind>(
    kind: K,
    workspace: string,
    idOrKey: string,
    body: unknown,
    actor: Actor,
  ): Promise<ResourceView<K>>;
  delete(kind: ResourceKind, workspace: string, idOrKey: string, actor: Actor): Promise<void>;

  /**
   * A subscription's workflow action (approve, reject, suspend, resume, revoke); `body` may hold its
   * `reason`. A move the workflow does not have from the current status is a 409.
   */
  transition(
    workspace: string,
    idOrKey: string,
    action: SubscriptionAction,
    body: unknown,
    actor: Actor,
  ): Promise<ResourceView<'subscriptions'>>;

  /** Makes the workspace named in the document look exactly like the document. */
  apply(doc: unknown, opts: { dryRun: boolean; actor: Actor }): Promise<ApplyResult>;
  /**
   * The workspace as a declarative document that `apply` takes back unchanged; with select tags, only the
   * resources carrying all of them, and `_info.select_tags` so the document applies with the same selection.
   */
  export(workspace: string, selectTags?: string[]): Promise<DeclarativeDoc>;
}

/**
 * Apply and export whose answers may come back serialized already (`JsonText`): a 5 MB document's
 * result, built in the config thread, would otherwise be copied into the proxy's thread as objects only
 * to be serialized there again.
 */
export interface SerializedAnswers {
  apply(doc: unknown, opts: { dryRun: boolean; actor: Actor }): Promise<ApplyResult | JsonText>;
  export(workspace: string, selectTags?: string[]): Promise<DeclarativeDoc | JsonText>;
}

/** What the admin API calls: the config service, and its serialized answers when it has them. */
export interface AdminConfigService extends ConfigService {
  readonly answers?: SerializedAnswers;
}
