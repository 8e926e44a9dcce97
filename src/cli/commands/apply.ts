/**
 * `keyway apply -f FILE [--dry-run] [--workspace W]`: make one workspace look like the file.
 *
 * YAML problems are found here, before any HTTP call, so a broken file can never change anything.
 * Problems the admin API finds come back as JSON pointers; they are mapped to the file's lines.
 */
import { readFile } from 'node:fs/promises';
import type { ApplyResult } from '../../control/types.js';
import { AdminApiError, adminClient } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';
import { formatApplyResult } from '../diff-format.js';
import { formatProblem, loadYaml } from '../yaml-locate.js';

export interface ApplyOptions {
  file: string;
  dryRun: boolean;
  workspace?: string;
}

export async function applyCommand(ctx: CliContext, opts: ApplyOptions): Promise<number> {
  const { output } = ctx;
  let text: string;
  try {
    text = await readFile(opts.file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const loaded = loadYaml(opts.file, text);
  if (!loaded.ok) {
    for (const p of loaded.problems) output.err(formatProblem(p));
    output.err(`${opts.file}: not applied, nothing changed`);
    return 1;
  }
  const doc = loaded.value as Record<string, unknown>;
  // The flag wins over the file: the same file can then seed several workspaces.
  if (opts.workspace !== undefined) doc['workspace'] = opts.workspace;

  let result: ApplyResult;
  try {
    result = await adminClient(ctx).request<ApplyResult>(
      'POST',
      `/config${opts.dryRun ? '?dry_run=true' : ''}`,
      doc,
    );
  } catch (err) {
    if (err instanceof AdminApiError && err.status < 500 && err.details.length > 0) {
      for (const d of err.details)
        output.err(
          formatProblem({ file: opts.file, ...loaded.locate(d.path), path: d.path, message: d.message }),
        );
      output.err(`${opts.file}: not applied, nothing changed (${err.code})`);
      return 1;
    }
    if (err instanceof AdminApiError) {
      output.err(`${opts.file}: not applied: ${err.describe()}`);
      return 1;
    }
    throw err;
  }

  if (ctx.json) output.out(JSON.stringify(stripValues(result), null, 2));
  else for (const line of formatApplyResult(result)) output.out(line);
  return 0;
}

/** Machine output keeps what changed but not the before/after values, which may hold secrets. */
function stripValues(r: ApplyResult): ApplyResult {
  return {
    ...r,
    changes: r.changes.map(({ action, kind, key, fields }) =>
      fields === undefined ? { action, kind, key } : { action, kind, key, fields },
    ),
  };
}
