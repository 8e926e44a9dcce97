/**
 * `keyway export [--workspace W] [--select-tag T]… [-o FILE]`: the workspace (or the part of it carrying
 * the select tags) as a declarative YAML file. Applying the output unchanged changes nothing, so `export`
 * is also how to start managing a hand-built setup as code.
 */
import { open } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { DeclarativeDoc } from '../../control/types.js';
import { adminClient, answer } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';

export interface ExportOptions {
  workspace?: string;
  selectTags?: string[];
  outFile?: string;
}

export async function exportCommand(ctx: CliContext, opts: ExportOptions): Promise<number> {
  const tags = [...new Set(opts.selectTags ?? [])];
  const doc: DeclarativeDoc = await answer(
    adminClient(ctx).GET('/config', {
      params: {
        query: {
          ...(opts.workspace === undefined ? {} : { workspace: opts.workspace }),
          ...(tags.length === 0 ? {} : { select_tag: tags }),
        },
      },
    }),
  );
  const text = ctx.json
    ? JSON.stringify(doc, null, 2) + '\n'
    : `# Exported by keyway export on ${new Date().toISOString()}. Apply with: keyway apply -f FILE\n` +
      stringify(doc, { lineWidth: 0 });
  if (opts.outFile === undefined) {
    ctx.output.out(text);
    return 0;
  }
  try {
    // Plugin configs may hold credentials: the file is for its owner only.
    const handle = await open(opts.outFile, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new CliError(
      `cannot write ${opts.outFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      1,
      'KW_ERR_CONFIG_FILE',
    );
  }
  ctx.output.err(`wrote ${opts.outFile}`);
  return 0;
}
