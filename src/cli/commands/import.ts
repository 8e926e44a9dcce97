/**
 * `keyway import kong -f kong.yaml [-o keyway.yaml] [--jwt-audience AUD]… [--workspace W]`: converts a
 * Kong decK file into a Keyway declarative file, offline, and reports on stderr what it could not carry
 * over, each at its line in the decK file (docs/import-kong.md). Apply the result with `keyway apply`.
 *
 * The output holds what the input held: key-auth keys and JWT secrets in clear (`apply` hashes the keys
 * and seals the secrets). It is written with mode 0600, and neither the report nor an error quotes one.
 */
import { open, readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { isKeywayError } from '../../core/errors.js';
import {
  formatNote,
  importKong,
  pointerOf,
  renderEnvTemplates,
  type ImportNote,
} from '../../control/import/kong/index.js';
import { CliError, type CliContext } from '../context.js';
import { formatProblem, loadYaml, type Position } from '../yaml-locate.js';

export interface ImportOptions {
  source: string | undefined;
  file: string | undefined;
  outFile?: string;
  workspace?: string;
  jwtAudiences: string[];
  /** For decK's `${{ env "DECK_…" }}` templates. */
  env: NodeJS.ProcessEnv;
}

export const IMPORT_SOURCES = ['kong'] as const;

export async function importCommand(ctx: CliContext, opts: ImportOptions): Promise<number> {
  if (opts.source === undefined)
    throw new CliError(`needs the source to import from: keyway import kong -f FILE`, 2);
  if (!(IMPORT_SOURCES as readonly string[]).includes(opts.source))
    throw new CliError(
      `cannot import from "${opts.source}": the sources are ${IMPORT_SOURCES.join(', ')}`,
      2,
    );
  if (opts.file === undefined) throw new CliError('needs -f FILE, the decK file to convert', 2);
  const file = opts.file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      1,
      'KW_ERR_CONFIG_FILE',
    );
  }
  // decK fills `${{ env "DECK_…" }}` before reading the YAML; so does the import.
  try {
    text = renderEnvTemplates(file, text, opts.env);
  } catch (err) {
    if (!isKeywayError(err) || ctx.json) throw err;
    for (const d of err.details ?? []) ctx.output.err(`${file}: ${d.path}: ${d.message}`);
    throw new CliError(`${file}: nothing converted`, 1, 'KW_ERR_CONFIG_FILE');
  }
  const loaded = loadYaml(file, text);
  if (!loaded.ok) {
    for (const p of loaded.problems) ctx.output.err(formatProblem(p));
    throw new CliError(`${file}: not valid YAML, nothing converted`, 1, 'KW_ERR_CONFIG_FILE');
  }
  let result: ReturnType<typeof importKong>;
  try {
    result = importKong(file, loaded.value, {
      ...(opts.workspace === undefined ? {} : { workspace: opts.workspace }),
      jwtAudiences: opts.jwtAudiences,
    });
  } catch (err) {
    if (isKeywayError(err) && err.code === 'KW_ERR_CONFIG_FILE' && !ctx.json) {
      for (const d of err.details ?? [])
        ctx.output.err(
          formatProblem({ file, ...loaded.locate(d.path), message: `${showPointer(d.path)}: ${d.message}` }),
        );
      throw new CliError(
        `${file}: not a decK 3.x file Keyway can read, nothing converted`,
        1,
        'KW_ERR_CONFIG_FILE',
      );
    }
    throw err;
  }
  const { document } = result;
  const at = (n: ImportNote): Position => loaded.locate(pointerOf(n.path));
  // In the order of the decK file, for reading side by side with it.
  const notes = result.notes
    .map((n) => ({ n, pos: at(n) }))
    .sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col)
    .map(({ n }) => n);

  if (ctx.json) {
    const report = notes.map((n) => ({
      ...at(n),
      path: pointerOf(n.path),
      kind: n.kind,
      what: n.what,
      reason: n.reason,
    }));
    if (opts.outFile !== undefined)
      await writePrivate(opts.outFile, JSON.stringify(document, null, 2) + '\n');
    ctx.output.out(JSON.stringify(opts.outFile === undefined ? { document, report } : { report }, null, 2));
    return 0;
  }
  const yaml =
    `# Converted from ${file} by keyway import kong. It may hold API keys and secrets in clear:\n` +
    `# keyway apply hashes the keys and seals the secrets; keep this file as private as the decK file.\n` +
    stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
  if (opts.outFile === undefined) ctx.output.out(yaml);
  else await writePrivate(opts.outFile, yaml);
  for (const n of notes) ctx.output.err(`${file}:${at(n).line}:${at(n).col}: ${formatNote(n)}`);
  const dropped = notes.filter((n) => n.kind === 'dropped').length;
  ctx.output.err(
    `${opts.outFile === undefined ? 'converted' : `wrote ${opts.outFile}`}: ${summary(document)}; ` +
      `${dropped} not converted, ${notes.length - dropped} converted with a difference`,
  );
  return 0;
}

/** `/services/0/routes/1` → `services[0].routes[1]`, as the report spells places. */
function showPointer(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out === '' ? s : `${out}.${s}`), '');
}

function summary(doc: ReturnType<typeof importKong>['document']): string {
  const services = doc.services ?? [];
  const routes = services.reduce((n, s) => n + (s.routes?.length ?? 0), 0);
  const consumers = doc.consumers ?? [];
  const keys = consumers.reduce(
    (n, c) => n + (c.apps ?? []).reduce((m, a) => m + (a.keys?.length ?? 0), 0),
    0,
  );
  const plugins =
    (doc.plugins?.length ?? 0) +
    services.reduce(
      (n, s) =>
        n + (s.plugins?.length ?? 0) + (s.routes ?? []).reduce((m, r) => m + (r.plugins?.length ?? 0), 0),
      0,
    ) +
    consumers.reduce((n, c) => n + (c.plugins?.length ?? 0), 0);
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
  return [
    n(services.length, 'service'),
    n(routes, 'route'),
    n(doc.upstreams?.length ?? 0, 'upstream'),
    n(consumers.length, 'consumer'),
    n(keys, 'API key'),
    n(plugins, 'plugin'),
  ].join(', ');
}

/** The output may hold keys and secrets: for its owner only, as `export -o` writes. */
async function writePrivate(path: string, text: string): Promise<void> {
  try {
    const handle = await open(path, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new CliError(
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      1,
      'KW_ERR_CONFIG_FILE',
    );
  }
}
