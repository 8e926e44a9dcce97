/**
 * Config history: every committed change of a workspace is a version, with who made the change and when,
 * under the config version it committed as. The store keeps what each change wrote (and now and then the
 * whole workspace); a version reads back as the declarative document of the workspace at it (the export:
 * secrets sealed or by reference as stored, never in clear; API keys are not configuration and are not in
 * it). `rollback` applies a kept document back, which is itself a new, audited version.
 *
 * Recorded inside the change's own transaction, so a version and its document commit together or not at
 * all. Bounded: each workspace keeps its last `keep` versions (`config_history_keep`, default 100).
 */
import { KeywayError } from '../core/errors.js';
import type { HistoryEntry, Store, StoreTx } from '../store/types.js';
import { toDocument } from './export.js';

export const DEFAULT_HISTORY_KEEP = 100;
/** Changes named in a version's summary; the rest are counted. */
const SUMMARY_ITEMS = 3;

/** Keeps the document of every workspace this transaction changed (nothing when it changed none). */
export async function recordHistory(tx: StoreTx, keep: number, summary?: string): Promise<void> {
  const byWorkspace = new Map<string, Array<ReturnType<StoreTx['audited']>[number]>>();
  for (const entry of tx.audited()) {
    // API keys are not configuration: a key issued or revoked is no version of the workspace.
    if (entry.kind === 'api_keys') continue;
    const list = byWorkspace.get(entry.workspace) ?? [];
    list.push(entry);
    byWorkspace.set(entry.workspace, list);
  }
  if (byWorkspace.size === 0) return;
  // Writers take turns (the store locks the version row first), so this is the version the commit makes.
  const version = (await tx.configVersion()) + 1;
  for (const [workspace, entries] of byWorkspace) {
    const first = entries[0];
    if (first === undefined) continue;
    // The store keeps what the change wrote (or, now and then, the whole workspace): store/config-history.ts.
    await tx.recordHistory(
      { workspace, version, actor: first.actor, summary: summary ?? summarize(entries) },
      keep,
    );
  }
}

function summarize(entries: ReadonlyArray<{ action: string; kind: string; key: string }>): string {
  const named = entries.slice(0, SUMMARY_ITEMS).map((e) => `${e.action} ${e.kind}/${e.key}`);
  const more = entries.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/** One kept version with its `document`, or undefined when the history does not keep it. */
export async function historyEntry(
  store: Store,
  workspace: string,
  version: number,
): Promise<HistoryEntry | undefined> {
  const entry = await store.getHistory(workspace, version);
  if (entry === undefined) return undefined;
  const { state, ...rest } = entry;
  return state === undefined ? rest : { ...rest, document: toDocument(state) };
}

/** The document of one kept version, or KW_ERR_NOT_FOUND naming what is kept. */
export async function historyDocument(store: Store, workspace: string, version: number): Promise<unknown> {
  const entry = await historyEntry(store, workspace, version);
  if (entry?.document === undefined)
    throw new KeywayError('KW_ERR_NOT_FOUND', {
      kind: `version of workspace "${workspace}" (see its history for the versions kept)`,
      name: String(version),
    });
  return entry.document;
}
