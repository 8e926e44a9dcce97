/**
 * The whole configuration read page by page, for the data plane's reloads. One SELECT of 8,000 rows is one
 * long task on the event loop (better-sqlite3 answers synchronously, and parsing the rows' JSON is ours
 * either way); pages of a few hundred rows, with `pause` between them, are many short ones. The pages are
 * read inside one read transaction, so the result is the same consistent version `loadAll` gives, in the
 * same order (keyset on the workspace and key the unique index holds).
 */
import type { Kysely } from 'kysely';
import { RESOURCE_KINDS, type ConfigState } from '../model/index.js';
import { emptyState, pushRows, table } from './rows.js';
import type { Database } from './schema.js';
import type { SqlStoreTx } from './store-tx.js';

/** Rows a page reads: a page is parsed in well under a millisecond. */
export const LOAD_PAGE_ROWS = 100;

export async function loadAllPaged(
  db: Kysely<Database>,
  tx: SqlStoreTx,
  pause: () => Promise<void>,
  pageRows = LOAD_PAGE_ROWS,
): Promise<ConfigState> {
  const version = await tx.configVersion();
  const workspaces = await tx.listWorkspaces();
  const byId = new Map(workspaces.map((ws) => [ws.id, emptyState(ws)]));
  for (const kind of RESOURCE_KINDS) {
    let after: { workspace: string; key: string } | undefined;
    for (;;) {
      await pause();
      let q = db.selectFrom(table(kind)).selectAll();
      if (after !== undefined) {
        const { workspace, key } = after;
        q = q.where((eb) =>
          eb.or([
            eb('workspace_id', '>', workspace),
            eb.and([eb('workspace_id', '=', workspace), eb('key', '>', key)]),
          ]),
        );
      }
      const rows = await q.orderBy('workspace_id').orderBy('key').limit(pageRows).execute();
      for (const row of rows) {
        const state = byId.get(row.workspace_id);
        if (state !== undefined) pushRows(state, kind, [row]);
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < pageRows) break;
      after = { workspace: last.workspace_id, key: last.key };
    }
  }
  return { version, workspaces: [...byId.values()] };
}
