/**
 * Config history rows: one per committed change of a workspace. Most rows hold only what the change
 * wrote (a **delta**: each resource by id, with its new value or null when deleted); every
 * KEYFRAME_EVERY versions, and whenever a change touched the workspace itself or many resources, a row
 * holds the whole workspace as stored (a **keyframe**). A version is rebuilt from the keyframe at or
 * before it and the deltas after that; the control layer makes the declarative document of it (secrets
 * stay sealed as stored). Rows kept before deltas hold their document and read back as they were.
 *
 * Bounded per workspace: writing one drops the versions beyond `keep`, but for those a kept version is
 * still rebuilt from — they stay, marked `base_only`, unlisted, until a newer keyframe frees them.
 */
import type { Kysely, Selectable } from 'kysely';
import { KINDS, type ResourceKind, type Stored, type WorkspaceState } from '../model/index.js';
import type { ConfigHistoryTable, Database } from './schema.js';
import type { HistoryEntry, NewHistoryEntry, Page } from './types.js';

/**
 * A keyframe after this many deltas in a row: rebuilding a version reads at most this many deltas, and
 * a write pays for the whole workspace once in this many writes (100 writes to a 7,868-service workspace:
 * 5 keyframes instead of 100 documents).
 */
export const KEYFRAME_EVERY = 20;
/** A change writing more resources than this is kept as a keyframe (a large apply: about as big). */
const MAX_DELTA_OPS = 500;

/** One resource a change wrote: its new value, or null when it deleted it. */
export interface HistoryOp {
  kind: ResourceKind;
  id: string;
  value: Stored<ResourceKind> | null;
}

/** Where a version's content comes from: the transaction that makes it. */
export interface HistorySource {
  /** What the change wrote in the workspace; undefined when it touched the workspace itself. */
  delta(): Promise<HistoryOp[] | undefined>;
  /** The whole workspace as the change leaves it; undefined when it is gone. */
  state(): Promise<WorkspaceState | undefined>;
}

function toEntry(row: Selectable<ConfigHistoryTable>): HistoryEntry {
  return {
    workspace: row.workspace,
    version: Number(row.version),
    at: row.at,
    actor: row.actor,
    summary: row.summary,
  };
}

export async function insertHistory(
  db: Kysely<Database>,
  entry: NewHistoryEntry,
  keep: number,
  source: HistorySource,
): Promise<void> {
  const recent = await db
    .selectFrom('config_history')
    .select(['version', 'format'])
    .where('workspace', '=', entry.workspace)
    .orderBy('version', 'desc')
    .limit(KEYFRAME_EVERY)
    .execute();
  // A delta follows a keyframe of stored state (a document kept before deltas has no ids to patch by).
  const keyAt = recent.findIndex((r) => r.format !== 'delta');
  const chained = keyAt >= 0 && keyAt < KEYFRAME_EVERY - 1 && recent[keyAt]?.format === 'state';
  let ops = chained ? await source.delta() : undefined;
  if (ops !== undefined && ops.length > MAX_DELTA_OPS) ops = undefined;
  let format = 'delta';
  let body: unknown = ops;
  if (ops === undefined) {
    const state = await source.state();
    // A deleted workspace has no content; its earlier versions stay until it is created again.
    if (state === undefined) return;
    format = 'state';
    body = state;
  }
  await db
    .insertInto('config_history')
    .values({
      workspace: entry.workspace,
      version: entry.version,
      at: new Date().toISOString(),
      actor: entry.actor,
      summary: entry.summary,
      document: JSON.stringify(body),
      format,
    })
    .execute();
  await trim(db, entry.workspace, keep);
}

/** Drops versions beyond the newest `keep`, keeping (unlisted) those the oldest kept one is rebuilt from. */
async function trim(db: Kysely<Database>, workspace: string, keep: number): Promise<void> {
  const cut = await db
    .selectFrom('config_history')
    .select('version')
    .where('workspace', '=', workspace)
    .orderBy('version', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cut === undefined) return;
  const oldestKept = await db
    .selectFrom('config_history')
    .select('version')
    .where('workspace', '=', workspace)
    .where('version', '>', Number(cut.version))
    .orderBy('version', 'asc')
    .limit(1)
    .executeTakeFirst();
  const base = await db
    .selectFrom('config_history')
    .select('version')
    .where('workspace', '=', workspace)
    .where('format', '!=', 'delta')
    .where('version', '<=', Number(oldestKept?.version ?? cut.version))
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const from = Number(base?.version ?? Number(cut.version) + 1);
  await db
    .deleteFrom('config_history')
    .where('workspace', '=', workspace)
    .where('version', '<', Math.min(from, Number(cut.version) + 1))
    .execute();
  await db
    .updateTable('config_history')
    .set({ base_only: 1 })
    .where('workspace', '=', workspace)
    .where('version', '<=', Number(cut.version))
    .where('base_only', '=', 0)
    .execute();
}

/** Applies a delta's resources to `state`, in place; each list changed stays in key order. */
export function applyHistoryOps(state: WorkspaceState, ops: readonly HistoryOp[]): void {
  const changed = new Set<ResourceKind>();
  for (const op of ops) {
    const list = state[op.kind] as Array<Stored<ResourceKind>>;
    const at = list.findIndex((r) => r.id === op.id);
    if (op.value === null) {
      if (at >= 0) list.splice(at, 1);
    } else if (at >= 0) list[at] = op.value;
    else list.push(op.value);
    changed.add(op.kind);
  }
  for (const kind of changed) {
    const def = KINDS[kind] as { key(r: Stored<ResourceKind>): string };
    (state[kind] as Array<Stored<ResourceKind>>).sort((a, b) => {
      const [x, y] = [def.key(a), def.key(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
}

/** Newest first; `after` is the version the previous page ended at. */
export async function listHistory(
  db: Kysely<Database>,
  workspace: string,
  query: { limit: number; after?: number },
): Promise<Page<HistoryEntry>> {
  let q = db.selectFrom('config_history').where('workspace', '=', workspace).where('base_only', '=', 0);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  if (query.after !== undefined) q = q.where('version', '<', query.after);
  const rows = await q
    .selectAll()
    .orderBy('version', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(toEntry),
    next: rows.length > query.limit && last !== undefined ? String(last.version) : null,
    total: Number(total?.n ?? 0),
  };
}

export async function getHistory(
  db: Kysely<Database>,
  workspace: string,
  version: number,
): Promise<HistoryEntry | undefined> {
  const row = await db
    .selectFrom('config_history')
    .selectAll()
    .where('workspace', '=', workspace)
    .where('version', '=', version)
    .where('base_only', '=', 0)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const entry = toEntry(row);
  if (row.format === 'document') entry.document = JSON.parse(row.document) as unknown;
  else if (row.format === 'state') entry.state = JSON.parse(row.document) as WorkspaceState;
  else {
    const key = await db
      .selectFrom('config_history')
      .select(['version', 'document'])
      .where('workspace', '=', workspace)
      .where('format', '=', 'state')
      .where('version', '<', version)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    // Unreachable while trimming keeps every base; refuse rather than rebuild from the wrong one.
    if (key === undefined) return undefined;
    const state = JSON.parse(key.document) as WorkspaceState;
    const deltas = await db
      .selectFrom('config_history')
      .select('document')
      .where('workspace', '=', workspace)
      .where('version', '>', Number(key.version))
      .where('version', '<=', version)
      .orderBy('version', 'asc')
      .execute();
    for (const d of deltas) applyHistoryOps(state, JSON.parse(d.document) as HistoryOp[]);
    entry.state = state;
  }
  return entry;
}
