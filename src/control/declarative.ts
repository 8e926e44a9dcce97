/**
 * `keyway apply` and `keyway export`. Apply validates the whole document before touching the store,
 * then — inside one transaction, so the diff and the checks see exactly what commits — computes the
 * changes against the stored workspace, checks the would-be configuration, and writes it all. AI
 * provider keys and plugin secrets are sealed against what is stored (an unchanged secret is no change)
 * before the diff, and redacted in the changes reported and audited.
 */
import { DEFAULT_HISTORY_KEEP, recordHistory } from './history.js';
import { randomUUID } from 'node:crypto';
import { KeywayError, validationError, type ErrorDetail } from '../core/errors.js';
import {
  KINDS,
  RESOURCE_KINDS,
  emptyWorkspaceState,
  type ConfigState,
  type ResourceKind,
  type ResourceTypes,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import type { SecretBox } from '../keys/secret-box.js';
import type { Store, StoreTx } from '../store/types.js';
import { planChanges, type Plan } from './diff.js';
import { toDocument } from './export.js';
import { normalizeDocument, type DesiredItem, type DesiredState } from './normalize.js';
import { configProblems, problemId, problemLabel, problemSet, type ProblemBaseline } from './problems.js';
import { importKeys, type KeyImporter } from './key-import.js';
import { sealPluginSecrets } from './plugin-secrets.js';
import { sealProviderKeys } from './provider-keys.js';
import { keyPath, resourceKey, userFields } from './resource-input.js';
import { managedPart, selectionProblems, withSelectTags } from './select-tags.js';
import { redactFields } from './resource-view.js';
import { settleDocument } from './subscription-rules.js';
import type { Actor, ApplyResult, Change, DeclarativeDoc } from './types.js';

export interface ApplyDeps {
  notify: (version: number | undefined) => void;
  /** Imports keys listed under apps; without it such a document is refused. */
  keys?: KeyImporter | undefined;
  /** Seals AI provider keys; without it a document giving one in clear is refused. */
  secrets?: SecretBox | undefined;
  /** The problems of the stored configuration per version, shared with single-resource writes. */
  baselines?: ProblemBaseline | undefined;
  /** Versions kept per workspace in the config history. Default 100. */
  historyKeep?: number | undefined;
}

export async function applyDocument(
  store: Store,
  doc: unknown,
  opts: { dryRun: boolean; actor: Actor },
  { notify, keys, secrets, baselines, historyKeep }: ApplyDeps,
): Promise<ApplyResult> {
  const normalized = normalizeDocument(doc);
  if (normalized.details.length > 0) throw documentError(normalized.details);
  if (normalized.keys.length > 0 && keys === undefined) {
    throw documentError([
      { path: normalized.keys[0]?.path ?? '', message: 'keys cannot be imported here (no key service)' },
    ]);
  }

  let keyCounts: { imported: number; unchanged: number; hashes: string[] } | undefined;
  const select = normalized.selectTags;
  const run = async (tx: StoreTx): Promise<{ plan: Plan; version: number }> => {
    const current = await tx.loadAll();
    const stored = current.workspaces.find((w) => w.name === normalized.workspace);
    // With select tags the document is one part of the workspace: it is compared with that part only, and
    // the rest (`others`) is kept as it is (src/control/select-tags.ts).
    const { managed, others } = managedPart(stored, select);
    const tagged = withSelectTags(normalized, managed);
    const taken = takenOver(tagged, others);
    if (taken.length > 0) throw documentError(taken);
    const settled = settleDocument(tagged, stored, opts.actor.name, new Date().toISOString());
    const desired = sealSecrets(settled, stored, secrets);
    const plan = planChanges(managed, desired);
    const baseline =
      baselines === undefined
        ? problemSet(current, secrets)
        : await baselines.at(current.version, () => Promise.resolve(current));
    const problems = wouldBeProblems(current, baseline, stored, desired, secrets, others);
    if (problems.length > 0) throw documentError(problems);
    await countDeletedKeys(tx, plan);
    if (!opts.dryRun) await write(tx, plan, desired, opts.actor);
    if (keys !== undefined && desired.keys.length > 0) keyCounts = await importKeys(tx, desired, keys, opts);
    if (!opts.dryRun) await recordHistory(tx, historyKeep ?? DEFAULT_HISTORY_KEEP, opts.actor.reason);
    return { plan, version: current.version };
  };

  // A dry run uses a read transaction, which always rolls back: nothing can be written by accident.
  let outcome: { plan: Plan; version: number };
  if (opts.dryRun) {
    outcome = await store.read(run);
  } else {
    const { result, version } = await store.write(run);
    notify(version);
    outcome = { plan: result.plan, version: version ?? result.version };
  }
  const result: ApplyResult = {
    workspace: normalized.workspace,
    dry_run: opts.dryRun,
    changes: outcome.plan.changes.map((c) => redactChange(c.change)),
    version: outcome.version,
  };
  if (outcome.plan.workspace !== undefined) result.workspace_action = outcome.plan.workspace;
  if (keyCounts !== undefined) {
    result.keys = { imported: keyCounts.imported, unchanged: keyCounts.unchanged };
    if (!opts.dryRun) for (const h of keyCounts.hashes) keys?.forget(h);
  }
  return result;
}

export async function exportDocument(
  store: Store,
  workspace: string,
  selectTags: string[] = [],
): Promise<DeclarativeDoc> {
  const state = await store.read((tx) => tx.loadWorkspace(workspace));
  if (state === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name: workspace });
  if (selectTags.length === 0) return toDocument(state);
  // Only the selection, with the selected tags left to `_info` (apply puts them back): decK's dump.
  const part = managedPart(state, selectTags, { strip: true }).managed ?? state;
  const { _format_version, description: _shared, ...rest } = toDocument(part);
  return { _format_version, _info: { select_tags: [...selectTags] }, ...rest };
}

/**
 * With select tags, a document may not take over a resource of the same key that lacks them: it belongs to
 * someone else's file (or to no file), and silently tagging it would hand it to this one.
 */
function takenOver(desired: DesiredState, others: WorkspaceState | undefined): ErrorDetail[] {
  if (others === undefined || desired.selectTags.length === 0) return [];
  const details: ErrorDetail[] = [];
  const tags = desired.selectTags.map((t) => `"${t}"`).join(', ');
  for (const item of desired.items) {
    const theirs = (others[item.kind] as Stored<ResourceKind>[]).some(
      (r) => resourceKey(item.kind, r) === item.key,
    );
    if (theirs)
      details.push({
        path: item.path + keyPath(item.kind),
        message:
          `${KINDS[item.kind].singular} "${item.key}" already exists in workspace "${desired.workspace}" ` +
          `without the tag ${tags}, so this document does not manage it: tag it, or rename this one`,
      });
  }
  return details;
}

/** Sets `keys` on the deletion of an app that still has working API keys: they go with it. */
async function countDeletedKeys(tx: StoreTx, plan: Plan): Promise<void> {
  const apps = plan.changes.filter((c) => c.change.action === 'delete' && c.change.kind === 'apps');
  if (apps.length === 0) return;
  const counts = await tx.countLiveApiKeys(apps.flatMap((c) => (c.id === undefined ? [] : [c.id])));
  for (const c of apps) {
    const n = c.id === undefined ? 0 : (counts.get(c.id) ?? 0);
    if (n > 0) c.change.keys = n;
  }
}

async function write(tx: StoreTx, plan: Plan, desired: DesiredState, actor: Actor): Promise<void> {
  const ws = desired.workspace;
  const wsBody =
    desired.description === undefined ? { name: ws } : { name: ws, description: desired.description };
  if (plan.workspace === 'create') {
    await tx.createWorkspace(wsBody);
    await tx.audit({
      actor: actor.name,
      action: 'create',
      workspace: ws,
      kind: 'workspaces',
      key: ws,
      before: null,
      after: wsBody,
    });
  } else if (plan.workspace === 'update') {
    const before = await tx.getWorkspace(ws);
    // Tags are not part of the document: keep what the admin API set.
    const body = before?.tags === undefined ? wsBody : { ...wsBody, tags: before.tags };
    await tx.updateWorkspace(ws, body);
    await tx.audit({
      actor: actor.name,
      action: 'update',
      workspace: ws,
      kind: 'workspaces',
      key: ws,
      before: { name: ws, description: before?.description },
      after: body,
    });
  }
  for (const { change, id, resource } of plan.changes) {
    if (change.action === 'create' && resource !== undefined) {
      await tx.create(change.kind, ws, resource);
    } else if (change.action === 'update' && resource !== undefined && id !== undefined) {
      // Same id as before: admin API links and audit history keep pointing at the resource.
      await tx.update(change.kind, ws, id, resource);
    } else if (change.action === 'delete' && id !== undefined) {
      await tx.delete(change.kind, ws, id);
    }
    const shown = redactChange(change);
    await tx.audit({
      actor: actor.name,
      action: change.action,
      workspace: ws,
      kind: change.kind,
      key: change.key,
      before: shown.before ?? null,
      after: shown.after ?? null,
    });
  }
}

/**
 * `configProblems` on the configuration as it would be. Problems in the document's workspace all count (the
 * document is its whole state); elsewhere only problems the document introduces, e.g. a host collision.
 * With select tags, `unselected` is the rest of the workspace, kept as it is and answering for its own
 * old problems.
 */
function wouldBeProblems(
  current: ConfigState,
  baseline: Set<string>,
  stored: WorkspaceState | undefined,
  desired: DesiredState,
  secrets: SecretBox | undefined,
  unselected: WorkspaceState | undefined,
): ErrorDetail[] {
  const next = desiredWorkspace(stored, desired, unselected);
  const others = current.workspaces.filter((w) => w.name !== desired.workspace);
  const problems = configProblems({ version: current.version, workspaces: [...others, next] }, secrets);
  const paths = new Map(desired.items.map((i) => [`${i.kind}|${i.key}`, i.path]));
  const details: ErrorDetail[] = [];
  for (const p of problems) {
    if (p.workspace === desired.workspace) {
      const at = paths.get(`${p.kind}|${p.key}`);
      // A resource outside the selection answers for its own old problems, not this document.
      if (at === undefined && unselected !== undefined && baseline.has(problemId(p))) continue;
      details.push(
        at === undefined
          ? { path: '', message: `${problemLabel(p, desired.workspace)}: ${p.message}` }
          : { path: at + p.field, message: p.message },
      );
    } else if (!baseline.has(problemId(p))) {
      details.push({ path: '', message: `${problemLabel(p, desired.workspace)}: ${p.message}` });
    }
  }
  if (unselected !== undefined) details.push(...selectionProblems(next, desired));
  return details;
}

/** The workspace as it would be: the document's resources (with stored ids), plus `others` kept as they are. */
function desiredWorkspace(
  stored: WorkspaceState | undefined,
  desired: DesiredState,
  others: WorkspaceState | undefined,
): WorkspaceState {
  const now = new Date().toISOString();
  const state = emptyWorkspaceState(desired.workspace);
  if (desired.description !== undefined) state.description = desired.description;
  if (stored?.tags !== undefined) state.tags = stored.tags;
  const ids = new Map<string, Stored<ResourceKind>>();
  if (stored !== undefined) {
    for (const kind of RESOURCE_KINDS) {
      for (const res of stored[kind]) ids.set(`${kind}|${resourceKey(kind, res)}`, res);
    }
  }
  for (const item of [...desired.items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const old = ids.get(`${item.kind}|${item.key}`);
    const meta = { id: old?.id ?? randomUUID(), created_at: old?.created_at ?? now, updated_at: now };
    (state[item.kind] as Stored<ResourceKind>[]).push({ ...item.resource, ...meta });
  }
  if (others !== undefined) {
    for (const kind of RESOURCE_KINDS) {
      (state[kind] as Stored<ResourceKind>[]).push(...(others[kind] as Stored<ResourceKind>[]));
      (state[kind] as Stored<ResourceKind>[]).sort((a, b) => {
        const ka = resourceKey(kind, a);
        const kb = resourceKey(kind, b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    }
  }
  return state;
}

/**
 * The desired state with every secret as it would be stored, given the stored workspace: AI provider
 * keys and plugin secrets given in clear sealed (or the stored ciphertext kept when it opens to the same
 * secret), `secret_enc` checked to open with this node's secret, `{"sealed": true}` resolved to what is
 * stored. A dry run seals too — only in memory, and nothing of it is shown.
 */
function sealSecrets(
  desired: DesiredState,
  stored: WorkspaceState | undefined,
  secrets: SecretBox | undefined,
): DesiredState {
  const providers = new Map((stored?.ai_providers ?? []).map((p) => [p.name, p]));
  const plugins = new Map((stored?.plugins ?? []).map((p) => [resourceKey('plugins', p), p]));
  const details: ErrorDetail[] = [];
  const items = desired.items.map((item): DesiredItem => {
    let out: { resource: ResourceTypes[ResourceKind] | undefined; details: ErrorDetail[] };
    if (item.kind === 'ai_providers') {
      const provider = item.resource as ResourceTypes['ai_providers'];
      out = sealProviderKeys(provider, providers.get(provider.name), secrets, item.path);
    } else if (item.kind === 'plugins') {
      const have = plugins.get(item.key);
      const plugin = item.resource as ResourceTypes['plugins'];
      out = sealPluginSecrets(plugin, have === undefined ? undefined : userFields(have), secrets, item.path);
    } else {
      return item;
    }
    details.push(...out.details);
    return out.resource === undefined ? item : { ...item, resource: out.resource };
  });
  if (details.length > 0) throw documentError(details);
  return { ...desired, items };
}

/** A change as reported and audited: AI provider keys and plugin secrets redacted. */
function redactChange(change: Change): Change {
  if (change.kind !== 'ai_providers' && change.kind !== 'plugins') return change;
  const out: Change = { ...change };
  if (change.before !== undefined) out.before = redactFields(change.kind, change.before);
  if (change.after !== undefined) out.after = redactFields(change.kind, change.after);
  return out;
}

function documentError(details: ErrorDetail[]): KeywayError {
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return validationError(
    details,
    `invalid declarative document: ${first === undefined ? '' : `${first.path || '/'}: ${first.message}`}${more}`,
  );
}
