/**
 * `keyway apply` and `keyway export`. Apply validates the whole document before touching the store,
 * then — inside one transaction, so the diff and the checks see exactly what commits — computes the
 * changes against the stored workspace, checks the would-be configuration, and writes it all.
 */
import { randomUUID } from 'node:crypto';
import { KeywayError, validationError, type ErrorDetail } from '../core/errors.js';
import {
  RESOURCE_KINDS,
  emptyWorkspaceState,
  type ConfigState,
  type ResourceKind,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import { checkConfig } from '../snapshot/check.js';
import type { Store, StoreTx } from '../store/types.js';
import { planChanges, type Plan } from './diff.js';
import { toDocument } from './export.js';
import { normalizeDocument, type DesiredState } from './normalize.js';
import { problemId, problemLabel } from './problems.js';
import { importKeys, type KeyImporter } from './key-import.js';
import { resourceKey } from './resource-input.js';
import type { Actor, ApplyResult, DeclarativeDoc } from './types.js';

export async function applyDocument(
  store: Store,
  doc: unknown,
  opts: { dryRun: boolean; actor: Actor },
  notify: (version: number | undefined) => void,
  keys?: KeyImporter,
): Promise<ApplyResult> {
  const desired = normalizeDocument(doc);
  if (desired.details.length > 0) throw documentError(desired.details);
  if (desired.keys.length > 0 && keys === undefined) {
    throw documentError([
      { path: desired.keys[0]?.path ?? '', message: 'keys cannot be imported here (no key service)' },
    ]);
  }

  let keyCounts: { imported: number; unchanged: number; hashes: string[] } | undefined;
  const run = async (tx: StoreTx): Promise<{ plan: Plan; version: number }> => {
    const current = await tx.loadAll();
    const stored = current.workspaces.find((w) => w.name === desired.workspace);
    const plan = planChanges(stored, desired);
    const problems = wouldBeProblems(current, stored, desired);
    if (problems.length > 0) throw documentError(problems);
    if (!opts.dryRun) await write(tx, plan, desired, opts.actor);
    if (keys !== undefined && desired.keys.length > 0) keyCounts = await importKeys(tx, desired, keys, opts);
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
    workspace: desired.workspace,
    dry_run: opts.dryRun,
    changes: outcome.plan.changes.map((c) => c.change),
    version: outcome.version,
  };
  if (outcome.plan.workspace !== undefined) result.workspace_action = outcome.plan.workspace;
  if (keyCounts !== undefined) {
    result.keys = { imported: keyCounts.imported, unchanged: keyCounts.unchanged };
    if (!opts.dryRun) for (const h of keyCounts.hashes) keys?.forget(h);
  }
  return result;
}

export async function exportDocument(store: Store, workspace: string): Promise<DeclarativeDoc> {
  const state = await store.read((tx) => tx.loadWorkspace(workspace));
  if (state === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name: workspace });
  return toDocument(state);
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
    await tx.audit({
      actor: actor.name,
      action: change.action,
      workspace: ws,
      kind: change.kind,
      key: change.key,
      before: change.before ?? null,
      after: change.after ?? null,
    });
  }
}

/**
 * `checkConfig` on the configuration as it would be. Problems in the document's workspace all count (the
 * document is its whole state); elsewhere only problems the document introduces, e.g. a host collision.
 */
function wouldBeProblems(
  current: ConfigState,
  stored: WorkspaceState | undefined,
  desired: DesiredState,
): ErrorDetail[] {
  const next = desiredWorkspace(stored, desired);
  const others = current.workspaces.filter((w) => w.name !== desired.workspace);
  const baseline = new Set(checkConfig(current).map(problemId));
  const problems = checkConfig({ version: current.version, workspaces: [...others, next] });
  const paths = new Map(desired.items.map((i) => [`${i.kind}|${i.key}`, i.path]));
  const details: ErrorDetail[] = [];
  for (const p of problems) {
    if (p.workspace === desired.workspace) {
      const at = paths.get(`${p.kind}|${p.key}`);
      details.push(
        at === undefined
          ? { path: '', message: `${problemLabel(p, desired.workspace)}: ${p.message}` }
          : { path: at + p.field, message: p.message },
      );
    } else if (!baseline.has(problemId(p))) {
      details.push({ path: '', message: `${problemLabel(p, desired.workspace)}: ${p.message}` });
    }
  }
  return details;
}

function desiredWorkspace(stored: WorkspaceState | undefined, desired: DesiredState): WorkspaceState {
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
  return state;
}

function documentError(details: ErrorDetail[]): KeywayError {
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return validationError(
    details,
    `invalid declarative document: ${first === undefined ? '' : `${first.path || '/'}: ${first.message}`}${more}`,
  );
}
