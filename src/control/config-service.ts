/**
 * The `ConfigService`: every admin API change goes through here. Input is validated outside the
 * transaction; references, renames and whole-configuration checks run inside it, so what they saw is
 * what commits. One audit row per change; `onChange` hears the new version after commit. AI provider
 * keys and plugin secrets are sealed before they are stored and redacted in everything handed back
 * (provider-keys.ts, plugin-secrets.ts, resource-view.ts). A body may arrive as unparsed JSON (`RawJson`,
 * a large admin body): it is parsed here, wherever this service runs (src/control/thread/).
 */
import { DEFAULT_HISTORY_KEEP, recordHistory } from './history.js';
import { KeywayError, validationError } from '../core/errors.js';
import { bodyValue } from '../core/json-text.js';
import { validate } from '../core/validator.js';
import {
  DEFAULT_WORKSPACE,
  KINDS,
  workspaceSchema,
  type ResourceKind,
  type ResourceTypes,
  type Stored,
  type Workspace,
} from '../model/index.js';
import type { SecretBox } from '../keys/secret-box.js';
import type { Store, StoreTx, StoredWorkspace } from '../store/types.js';
import { applyDocument, exportDocument } from './declarative.js';
import type { KeyImporter } from './key-import.js';
import { ProblemBaseline, problemsError } from './problems.js';
import { sealPluginSecrets } from './plugin-secrets.js';
import { sealProviderKeys, withoutSealedMarkers } from './provider-keys.js';
import { assertUnreferenced, danglingReferences, referenceError } from './references.js';
import { fieldsOf, isObject, keyPath, parseOrThrow, resourceKey, userFields } from './resource-input.js';
import { presentResource, redactFields } from './resource-view.js';
import { SUBSCRIPTION_ACTIONS, moveError, settleSubscription } from './subscription-rules.js';
import type { Actor, ConfigService } from './types.js';

export interface ConfigServiceOptions {
  /**
   * Hears each committed version; the call answers once what it returns settles (the node waits there
   * until it serves the change: read your writes).
   */
  onChange?: (version: number) => void | Promise<void>;
  /** Lets `apply` import keys listed under apps; without it such a document is refused. */
  keys?: KeyImporter;
  /**
   * Seals AI provider keys and plugin secrets given in clear and opens `secret_enc` ones to check them
   * (the node's box, under the server secret). Without it such a secret is refused.
   */
  secrets?: SecretBox;
  /** Versions kept per workspace in the config history (`config_history_keep`). Default 100. */
  historyKeep?: number;
}

/** What a change's check found in the state it leaves, to remember as the baseline of its version. */
interface CheckedState {
  problems?: Set<string>;
}

export function createConfigService(store: Store, opts: ConfigServiceOptions = {}): ConfigService {
  const notify = async (version: number | undefined): Promise<void> => {
    if (version === undefined) return;
    try {
      await opts.onChange?.(version);
    } catch {
      // The change is committed: a failing listener must not turn a successful call into an error.
      // Nodes also poll the version, so the change still propagates.
    }
  };
  const baselines = new ProblemBaseline(opts.secrets);
  const historyKeep = opts.historyKeep ?? DEFAULT_HISTORY_KEEP;
  /** A write; `after.problems`, when the change set it, becomes the baseline of the version it commits. */
  const write = async <T>(fn: (tx: StoreTx, after: CheckedState) => Promise<T>): Promise<T> => {
    const after: CheckedState = {};
    const { result, version } = await store.write(async (tx) => {
      const result = await fn(tx, after);
      await recordHistory(tx, historyKeep);
      return result;
    });
    if (version !== undefined && after.problems !== undefined) baselines.remember(version, after.problems);
    await notify(version);
    return result;
  };
  /**
   * Refuses the change made in `tx` if it adds a whole-configuration problem: the state before it is
   * checked at most once per config version (ProblemBaseline), the state after it once.
   */
  const checkChange = async (
    tx: StoreTx,
    baseline: Set<string>,
    after: CheckedState,
    self: { workspace: string; kind: ResourceKind; key: string },
  ): Promise<void> => {
    const { added, all } = baselines.check(await tx.loadAll(), baseline);
    if (added.length > 0) throw problemsError(added, self);
    after.problems = all;
  };
  const baselineOf = async (tx: StoreTx): Promise<Set<string>> =>
    baselines.at(await tx.configVersion(), () => tx.loadAll());

  /**
   * Writes one resource (create or replace) with every check, inside the caller's transaction.
   * `keepKeys`: an AI provider sent without `keys` keeps its stored pool (POST/PUT); PATCH has merged
   * the stored fields in already, so there a missing `keys` was removed on purpose (`null`).
   */
  const save = async <K extends ResourceKind>(
    tx: StoreTx,
    kind: K,
    workspace: string,
    input: ResourceTypes[K],
    existing: Stored<K> | undefined,
    actor: Actor,
    after: CheckedState,
    keepKeys = true,
  ): Promise<Stored<K>> => {
    const resource =
      kind === 'subscriptions'
        ? ((await settled(
            tx,
            workspace,
            input as ResourceTypes['subscriptions'],
            existing,
            actor,
          )) as ResourceTypes[K])
        : storable(kind, input, existing, keepKeys);
    const baseline = await baselineOf(tx);
    const key = KINDS[kind].key(resource);
    let saved: Stored<K>;
    if (existing === undefined) {
      saved = await tx.create(kind, workspace, resource);
    } else {
      const oldKey = KINDS[kind].key(existing);
      if (oldKey !== key) await assertUnreferenced(tx, kind, workspace, oldKey, 'renamed');
      saved = await tx.update(kind, workspace, existing.id, resource);
    }
    const dangling = await danglingReferences(tx, kind, workspace, resource);
    if (dangling.length > 0) throw referenceError(dangling, workspace);
    await checkChange(tx, baseline, after, { workspace, kind, key });
    await tx.audit({
      actor: actor.name,
      action: existing === undefined ? 'create' : 'update',
      workspace,
      kind,
      key,
      before: existing === undefined ? null : redactFields(kind, userFields(existing)),
      after: redactFields(kind, resource),
    });
    return saved;
  };

  /**
   * The resource as it may be stored: AI provider keys and plugin secrets sealed, or kept from
   * `existing` (or refused with field paths).
   */
  const storable = <K extends ResourceKind>(
    kind: K,
    input: ResourceTypes[K],
    existing: Stored<K> | undefined,
    keepKeys: boolean,
  ): ResourceTypes[K] => {
    if (kind === 'plugins') {
      const stored = existing === undefined ? undefined : userFields(existing as Stored<'plugins'>);
      const out = sealPluginSecrets(input as ResourceTypes['plugins'], stored, opts.secrets);
      if (out.resource === undefined) throw validationError(out.details);
      return out.resource as ResourceTypes[K];
    }
    if (kind !== 'ai_providers') return input;
    const provider = input as ResourceTypes['ai_providers'];
    if (!keepKeys && provider.keys === undefined) return input;
    const out = sealProviderKeys(provider, existing as Stored<'ai_providers'> | undefined, opts.secrets);
    if (out.resource === undefined) throw validationError(out.details);
    return out.resource as ResourceTypes[K];
  };

  /** A subscription as stored: its status from its service's approval mode, the move checked (subscription-rules.ts). */
  const settled = async (
    tx: StoreTx,
    workspace: string,
    input: ResourceTypes['subscriptions'],
    existing: Stored<ResourceKind> | undefined,
    actor: Actor,
  ): Promise<ResourceTypes['subscriptions']> => {
    const service = await tx.get('services', workspace, input.service);
    return settleSubscription({
      input,
      existing: existing === undefined ? undefined : userFields(existing as Stored<'subscriptions'>),
      approval: service?.approval,
      actor: actor.name,
      now: new Date().toISOString(),
    });
  };

  const find = async <K extends ResourceKind>(
    tx: StoreTx,
    kind: K,
    workspace: string,
    idOrKey: string,
  ): Promise<Stored<K> | undefined> => {
    if ((await tx.getWorkspace(workspace)) === undefined)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name: workspace });
    return tx.get(kind, workspace, idOrKey);
  };

  const mustFind = async <K extends ResourceKind>(
    tx: StoreTx,
    kind: K,
    workspace: string,
    idOrKey: string,
  ): Promise<Stored<K>> => {
    const found = await find(tx, kind, workspace, idOrKey);
    if (found === undefined)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: KINDS[kind].singular, name: idOrKey });
    return found;
  };

  return {
    listWorkspaces: () => store.read((tx) => tx.listWorkspaces()),

    async getWorkspace(name) {
      const ws = await store.read((tx) => tx.getWorkspace(name));
      if (ws === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name });
      return ws;
    },

    async createWorkspace(body, actor) {
      const ws = parseWorkspace(body);
      return write(async (tx) => {
        const created = await tx.createWorkspace(ws);
        await tx.audit({
          actor: actor.name,
          action: 'create',
          workspace: ws.name,
          kind: 'workspaces',
          key: ws.name,
          before: null,
          after: ws,
        });
        return created;
      });
    },

    async updateWorkspace(name, body, actor) {
      const ws = parseWorkspace(body);
      if (name === DEFAULT_WORKSPACE && ws.name !== DEFAULT_WORKSPACE) {
        throw new KeywayError('KW_ERR_CONFLICT', {
          reason: `the "${DEFAULT_WORKSPACE}" workspace cannot be renamed`,
        });
      }
      return write(async (tx) => {
        const before = await tx.getWorkspace(name);
        const updated = await tx.updateWorkspace(name, ws);
        await tx.audit({
          actor: actor.name,
          action: 'update',
          workspace: ws.name,
          kind: 'workspaces',
          key: ws.name,
          before: before === undefined ? null : workspaceFields(before),
          after: ws,
        });
        return updated;
      });
    },

    async deleteWorkspace(name, actor) {
      if (name === DEFAULT_WORKSPACE) {
        throw new KeywayError('KW_ERR_CONFLICT', {
          reason: `the "${DEFAULT_WORKSPACE}" workspace cannot be deleted`,
        });
      }
      await write(async (tx) => {
        const before = await tx.getWorkspace(name);
        await tx.deleteWorkspace(name);
        await tx.audit({
          actor: actor.name,
          action: 'delete',
          workspace: name,
          kind: 'workspaces',
          key: name,
          before: before === undefined ? null : workspaceFields(before),
          after: null,
        });
      });
    },

    async list(kind, workspace, query) {
      const page = await store.read((tx) => tx.list(kind, workspace, query));
      return { ...page, data: page.data.map((r) => presentResource(kind, r)) };
    },

    async get(kind, workspace, idOrKey) {
      return presentResource(kind, await store.read((tx) => mustFind(tx, kind, workspace, idOrKey)));
    },

    async create(kind, workspace, body, actor) {
      const resource = parseOrThrow(kind, echoFree(kind, bodyValue(body)));
      const saved = await write((tx, after) => save(tx, kind, workspace, resource, undefined, actor, after));
      return presentResource(kind, saved);
    },

    async replace(kind, workspace, idOrKey, body, actor) {
      const resource = parseOrThrow(kind, echoFree(kind, bodyValue(body)));
      const saved = await write(async (tx, after) => {
        const existing = await find(tx, kind, workspace, idOrKey);
        if (existing === undefined && KINDS[kind].key(resource) !== idOrKey) {
          // A PUT to a missing key creates exactly that key, never a differently named resource.
          throw validationError([{ path: keyPath(kind), message: `must match "${idOrKey}" from the URL` }]);
        }
        return save(tx, kind, workspace, resource, existing, actor, after);
      });
      return presentResource(kind, saved);
    },

    async patch(kind, workspace, idOrKey, rawBody, actor) {
      const body = echoFree(kind, bodyValue(rawBody));
      if (!isObject(body)) throw validationError([{ path: '', message: 'must be object' }]);
      const saved = await write(async (tx, after) => {
        const existing = await mustFind(tx, kind, workspace, idOrKey);
        const merged = fieldsOf(userFields(existing));
        // Top-level merge; `null` removes an optional field (RFC 7396 style). Arrays are replaced whole:
        // a provider's `keys` sent here is its new pool (keys listed by id alone keep their secret).
        for (const [field, value] of Object.entries(body)) {
          if (value === null) delete merged[field];
          else merged[field] = value;
        }
        return save(tx, kind, workspace, parseOrThrow(kind, merged), existing, actor, after, false);
      });
      return presentResource(kind, saved);
    },

    async delete(kind, workspace, idOrKey, actor) {
      await write(async (tx, after) => {
        const existing = await mustFind(tx, kind, workspace, idOrKey);
        const key = resourceKey(kind, existing);
        await assertUnreferenced(tx, kind, workspace, key, 'deleted');
        const baseline = await baselineOf(tx);
        await tx.delete(kind, workspace, existing.id);
        await checkChange(tx, baseline, after, { workspace, kind, key });
        await tx.audit({
          actor: actor.name,
          action: 'delete',
          workspace,
          kind,
          key,
          before: redactFields(kind, userFields(existing)),
          after: null,
        });
      });
    },

    async transition(workspace, idOrKey, action, body, actor) {
      const move = SUBSCRIPTION_ACTIONS[action];
      const input = bodyValue(body) ?? {};
      if (!isObject(input)) throw validationError([{ path: '', message: 'must be object' }]);
      const reason = input['reason'];
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1024))
        throw validationError([{ path: '/reason', message: 'must be a string of at most 1024 characters' }]);
      const extra = Object.keys(input).find((k) => k !== 'reason');
      if (extra !== undefined)
        throw validationError([{ path: `/${extra}`, message: 'must NOT have additional properties' }]);
      const saved = await write(async (tx, after) => {
        const existing = await mustFind(tx, 'subscriptions', workspace, idOrKey);
        const from = existing.status ?? 'pending';
        if (!(move.from as readonly string[]).includes(from))
          throw moveError(resourceKey('subscriptions', existing), from, move.to);
        const next = { ...userFields(existing), status: move.to };
        delete next.reason;
        if (typeof reason === 'string' && reason !== '') next.reason = reason;
        return save(tx, 'subscriptions', workspace, next, existing, actor, after);
      });
      return presentResource('subscriptions', saved);
    },

    apply: async (doc, applyOpts) =>
      applyDocument(store, bodyValue(doc), applyOpts, {
        notify,
        keys: opts.keys,
        secrets: opts.secrets,
        baselines,
        historyKeep,
      }),

    export: (workspace, selectTags) => exportDocument(store, workspace, selectTags ?? []),
  };
}

/** An AI provider body without the `sealed: true` markers a GET put on its keys (provider-keys.ts). */
function echoFree(kind: ResourceKind, body: unknown): unknown {
  return kind === 'ai_providers' ? withoutSealedMarkers(body) : body;
}

function parseWorkspace(body: unknown): Workspace {
  const copy: unknown = structuredClone(bodyValue(body));
  const details = validate(workspaceSchema, copy);
  if (details.length > 0) throw validationError(details);
  return copy as Workspace;
}

function workspaceFields(ws: StoredWorkspace): Workspace {
  const out: Workspace = { name: ws.name };
  if (ws.description !== undefined) out.description = ws.description;
  if (ws.tags !== undefined) out.tags = ws.tags;
  return out;
}
