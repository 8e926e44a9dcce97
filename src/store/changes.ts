/**
 * The config change feed. Every committed config write records, under the version it produced, which
 * resources it touched (kind, workspace, id); a node serving version N then asks for what changed since N
 * and gets the current rows of just those resources (`ConfigDelta`), instead of reading the whole
 * configuration again. The feed is an optimisation with a safe answer for everything it cannot say:
 * `undefined` (load everything) when a version in the range has no rows (written before this feed existed,
 * or trimmed), when a version touched a workspace itself or more than MAX_CHANGES_PER_VERSION resources (a
 * declarative apply), or when the range is longer than MAX_DELTA_VERSIONS versions or MAX_DELTA_ROWS rows.
 */
import type { ControlledTransaction, Kysely } from 'kysely';
import { RESOURCE_KINDS, type ResourceKind } from '../model/index.js';
import { table, toResource } from './rows.js';
import type { Database } from './schema.js';
import type { SqlStoreTx } from './store-tx.js';
import type { ConfigChange, ConfigDelta } from './types.js';

/** A write touching more resources than this is recorded as "load everything" (one marker row). */
export const MAX_CHANGES_PER_VERSION = 500;
/** A node further behind than this loads everything (cheaper than reading a long run of changes). */
export const MAX_DELTA_VERSIONS = 200;
/**
 * Most feed rows one delta reads: past it, loading everything is cheaper (and the ids of the rows to read
 * stay well inside both dialects' limits on statement parameters).
 */
export const MAX_DELTA_ROWS = 1000;
/** Versions of the feed kept; older rows are trimmed by the writes that follow. */
export const KEPT_VERSIONS = 1000;
/** The marker's kind: this version must be loaded whole. */
const WHOLE = '*';
/** Rows per INSERT (four parameters each: well inside both dialects' limits). */
const INSERT_BATCH = 250;

/** Records what the transaction `tx` wrote under `version`, inside the same transaction; trims old versions. */
export async function recordChanges(
  trx: ControlledTransaction<Database>,
  tx: SqlStoreTx,
  version: number,
): Promise<void> {
  const whole = tx.touchedWorkspace || tx.touched.size === 0 || tx.touched.size > MAX_CHANGES_PER_VERSION;
  const rows = whole
    ? [{ version, kind: WHOLE, workspace_id: '', resource_id: '' }]
    : [...tx.touched.values()].map((t) => ({
        version,
        kind: t.kind,
        workspace_id: t.workspaceId,
        resource_id: t.id,
      }));
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await trx
      .insertInto('config_changes')
      .values(rows.slice(i, i + INSERT_BATCH))
      .execute();
  }
  await trx
    .deleteFrom('config_changes')
    .where('version', '<=', version - KEPT_VERSIONS)
    .execute();
}

/**
 * What changed after version `since`, read in the read transaction `trx` (one consistent version), or
 * `undefined` when the feed cannot say (see the top of this file): the caller then loads everything.
 */
export async function readChanges(
  db: Kysely<Database>,
  tx: SqlStoreTx,
  since: number,
): Promise<ConfigDelta | undefined> {
  const version = await tx.configVersion();
  if (version === since) return { from: since, version, changes: [] };
  if (version < since || version - since > MAX_DELTA_VERSIONS) return undefined;
  const rows = await db
    .selectFrom('config_changes')
    .selectAll()
    .where('version', '>', since)
    .where('version', '<=', version)
    .limit(MAX_DELTA_ROWS + 1)
    .execute();
  if (rows.length > MAX_DELTA_ROWS) return undefined;
  const versions = new Set<number>();
  const wanted = new Map<ResourceKind, Map<string, string>>();
  for (const row of rows) {
    versions.add(Number(row.version));
    if (row.kind === WHOLE) return undefined;
    const kind = RESOURCE_KINDS.find((k) => k === row.kind);
    if (kind === undefined) return undefined; // a kind this node does not know: written by a newer node
    let ids = wanted.get(kind);
    if (ids === undefined) {
      ids = new Map<string, string>();
      wanted.set(kind, ids);
    }
    ids.set(row.resource_id, row.workspace_id);
  }
  // Every version in the range produced rows: one missing is a gap (trimmed, or written without the feed).
  if (versions.size !== version - since) return undefined;
  const workspaces = new Map((await tx.listWorkspaces()).map((w) => [w.id, w.name]));
  const changes: ConfigChange[] = [];
  for (const [kind, ids] of wanted) {
    const found = await db
      .selectFrom(table(kind))
      .selectAll()
      .where('id', 'in', [...ids.keys()])
      .execute();
    const byId = new Map(found.map((r) => [r.id, r]));
    for (const [id, workspaceId] of ids) {
      const row = byId.get(id);
      const workspace = workspaces.get(row?.workspace_id ?? workspaceId);
      if (workspace === undefined) return undefined;
      changes.push({ kind, workspace, id, resource: row === undefined ? undefined : toResource(row) });
    }
  }
  return { from: since, version, changes };
}
