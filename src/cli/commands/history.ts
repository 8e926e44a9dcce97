/**
 * `keyway history` lists the kept versions of a workspace's configuration; `keyway rollback VERSION`
 * restores one (applied back as a new version; `--dry-run` shows the changes first). docs/config-history.md.
 */
import type { ApplyResult } from '../../control/types.js';
import { adminClient, answer } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';
import { formatApplyResult } from '../diff-format.js';

export async function historyCommand(
  ctx: CliContext,
  opts: { workspace?: string; limit?: string },
): Promise<number> {
  const limit = opts.limit === undefined ? 20 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new CliError(`--limit takes a number from 1 to 1000, got "${opts.limit ?? ''}"`, 2);
  const page = await answer(
    adminClient(ctx).GET('/workspaces/{workspace}/history', {
      params: { path: { workspace: opts.workspace ?? 'default' }, query: { limit } },
    }),
  );
  if (ctx.json) {
    ctx.output.out(JSON.stringify(page.data, null, 2));
    return 0;
  }
  if (page.data.length === 0) {
    ctx.output.out('no versions kept yet');
    return 0;
  }
  for (const e of page.data)
    ctx.output.out(`${String(e.version).padStart(6)}  ${e.at}  ${e.actor}  ${e.summary}`);
  if (page.total > page.data.length)
    ctx.output.out(`(${page.total - page.data.length} older; --limit N shows more)`);
  return 0;
}

export async function rollbackCommand(
  ctx: CliContext,
  opts: { version: string | undefined; workspace?: string; dryRun: boolean },
): Promise<number> {
  const version = Number(opts.version);
  if (opts.version === undefined || !Number.isInteger(version) || version < 1)
    throw new CliError(`needs the VERSION to restore (see keyway history), got "${opts.version ?? ''}"`, 2);
  const result: ApplyResult = await answer(
    adminClient(ctx).POST('/workspaces/{workspace}/history/{version}/rollback', {
      params: {
        path: { workspace: opts.workspace ?? 'default', version },
        query: opts.dryRun ? { dry_run: true } : {},
      },
    }),
  );
  if (ctx.json) ctx.output.out(JSON.stringify(result, null, 2));
  else {
    for (const line of formatApplyResult(result)) ctx.output.out(line);
    if (!opts.dryRun) ctx.output.out(`restored version ${version} as version ${result.version}`);
  }
  return 0;
}
