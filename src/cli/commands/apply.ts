/**
 * `keyway apply -f FILE [--dry-run [--exit-code]] [--select-tag T]… [--workspace W]`: make one workspace
 * look like the file — or, with select tags, the part of it carrying those tags.
 *
 * YAML problems are found here, before any HTTP call, so a broken file can never change anything.
 * Problems the admin API finds come back as JSON pointers; they are mapped to the file's lines.
 */
import { readFile } from 'node:fs/promises';
import type { ApplyResult } from '../../control/types.js';
import { AdminApiError, adminClient, answer } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';
import { formatApplyResult } from '../diff-format.js';
import { formatProblem, loadYaml, type FileProblem } from '../yaml-locate.js';

export interface ApplyOptions {
  file: string;
  dryRun: boolean;
  /** With dryRun: exit 2 when there are changes (for CI drift checks). */
  exitCode?: boolean;
  /** `--select-tag`: must match the file's `_info.select_tags` when it has them. */
  selectTags?: string[];
  workspace?: string;
}

/** Exit code of `apply --dry-run --exit-code` when the workspace differs from the file. */
export const EXIT_CHANGES = 2;

export async function applyCommand(ctx: CliContext, opts: ApplyOptions): Promise<number> {
  const { output } = ctx;
  let text: string;
  try {
    text = await readFile(opts.file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      1,
      'KW_ERR_CONFIG_FILE',
    );
  }
  const loaded = loadYaml(opts.file, text);
  if (!loaded.ok) return refused(ctx, opts.file, 'KW_ERR_CONFIG_FILE', 'not valid YAML', loaded.problems);
  const doc = loaded.value as Record<string, unknown>;
  // The flag wins over the file: the same file can then seed several workspaces.
  if (opts.workspace !== undefined) doc['workspace'] = opts.workspace;
  selectTags(doc, opts);

  let result: ApplyResult;
  try {
    result = await answer(
      adminClient(ctx).POST('/config', {
        params: { query: opts.dryRun ? { dry_run: true } : {} },
        // A file as the user wrote it: the node checks it and reports every problem at once.
        body: doc as never,
      }),
    );
  } catch (err) {
    if (err instanceof AdminApiError && err.status < 500 && err.details.length > 0) {
      const problems = err.details.map((d) => ({
        file: opts.file,
        ...loaded.locate(d.path),
        path: d.path,
        message: d.message,
      }));
      return refused(ctx, opts.file, err.code, err.message, problems, err.requestId);
    }
    if (err instanceof AdminApiError) {
      if (ctx.json) output.err(JSON.stringify({ error: err.toBody() }));
      else output.err(`${opts.file}: not applied: ${err.describe()}`);
      return 1;
    }
    throw err;
  }

  if (ctx.json) output.out(JSON.stringify(stripValues(result), null, 2));
  else for (const line of formatApplyResult(result)) output.out(line);
  const changed = result.changes.length > 0 || result.workspace_action !== undefined;
  return opts.exitCode === true && changed ? EXIT_CHANGES : 0;
}

/**
 * `--select-tag` and the file's `_info.select_tags` are one setting written in two places: when both are
 * there they must agree (decK's rule), so a file meant as a part is never applied as the whole, or the
 * other way round, by a flag typed from memory.
 */
function selectTags(doc: Record<string, unknown>, opts: ApplyOptions): void {
  const flag = [...new Set(opts.selectTags ?? [])];
  if (flag.length === 0) return;
  const info = doc['_info'];
  const inFile =
    typeof info === 'object' && info !== null ? (info as Record<string, unknown>)['select_tags'] : undefined;
  if (Array.isArray(inFile) && inFile.length > 0) {
    const same = inFile.length === flag.length && flag.every((t) => inFile.includes(t));
    if (!same)
      throw new CliError(
        `--select-tag ${flag.join(',')} differs from the file's _info.select_tags ${inFile.join(',')}: ` +
          `give the same tags, or leave the flag out`,
        2,
      );
    return;
  }
  doc['_info'] = { ...(typeof info === 'object' && info !== null ? info : {}), select_tags: flag };
}

/** Every problem at its line, then one summary line; with --json, one error object with the positions. */
function refused(
  ctx: CliContext,
  file: string,
  code: string,
  message: string,
  problems: FileProblem[],
  requestId?: string,
): number {
  if (ctx.json) {
    const details = problems.map((p) => ({
      path: p.path ?? '',
      message: p.message,
      file: p.file,
      line: p.line,
      column: p.col,
    }));
    const error = {
      code,
      message: `${file}: not applied, nothing changed: ${message}`,
      ...(requestId === undefined ? {} : { request_id: requestId }),
      details,
    };
    ctx.output.err(JSON.stringify({ error }));
    return 1;
  }
  for (const p of problems) ctx.output.err(formatProblem(p));
  ctx.output.err(`${file}: not applied, nothing changed (${code})`);
  return 1;
}

/** Machine output keeps what changed but not the before/after values, which may hold secrets. */
function stripValues(r: ApplyResult): ApplyResult {
  return {
    ...r,
    changes: r.changes.map(({ action, kind, key, fields, keys }) => ({
      action,
      kind,
      key,
      ...(fields === undefined ? {} : { fields }),
      ...(keys === undefined ? {} : { keys }),
    })),
  };
}
