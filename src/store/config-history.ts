/**
 * Config history rows: one per committed change of a workspace, holding the whole workspace as a
 * declarative document (made by the control layer, secrets sealed as stored). Bounded per workspace:
 * writing one drops the oldest beyond `keep`.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ConfigHistoryTable, Database } from './schema.js';
import type { HistoryEntry, NewHistoryEntry, Page } from './types.js';

function toEntry(row: Selectable<ConfigHistoryTable>, withDocument: boolean): HistoryEntry {
  const entry: HistoryEntry = {
    workspace: row.workspace,
    version: Number(row.version),
    at: row.at,
    actor: row.actor,
    summary: row.summary,
  };
  if (withDocument) entry.document = JSON.parse(row.document) as unknown;
  return entry;
}

export async function insertHistory(
  db: Kysely<Database>,
  entry: NewHistoryEntry,
  keep: number,
): Promise<void> {
  await db
    .insertInto('config_history')
    .values({
      workspace: entry.workspace,
      version: entry.version,
      at: new Date().toISOString(),
      actor: entry.actor,
      summary: entry.summary,
      document: JSON.stringify(entry.document),
    })
    .execute();
  // The `keep`-th newest version of the workspace, and everything older goes.
  const cut = await db
    .selectFrom('config_history')
    .select('version')
    .where('workspace', '=', entry.workspace)
    .orderBy('version', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cut !== undefined)
    await db
      .deleteFrom('config_history')
      .where('workspace', '=', entry.workspace)
      .where('version', '<=', Number(cut.version))
      .execute();
}

/** Newest first; `after` is the version the previous page ended at. */
export async function listHistory(
  db: Kysely<Database>,
  workspace: string,
  query: { limit: number; after?: number },
): Promise<Page<HistoryEntry>> {
  let q = db.selectFrom('config_history').where('workspace', '=', workspace);
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
    data: page.map((r) => toEntry(r, false)),
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
    .executeTakeFirst();
  return row === undefined ? undefined : toEntry(row, true);
}
