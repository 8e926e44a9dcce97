/**
 * Cheap checks that the docs keep up with the code: every CLI command has its place in docs/cli.md,
 * every built-in plugin its row in docs/plugins.md, every top-level field of a declarative file its row in
 * docs/declarative-config.md, every node setting (its file key and variable, from the settings schema) its
 * row in docs/configuration.md or docs/observability.md; every relative link in README.md and docs/ resolves; and every `keyway …`
 * command written in README.md and docs/cli.md is one the CLI accepts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/command-specs.js';
import { documentSchema } from '../../src/control/normalize.js';
import { listPlugins } from '../../src/plugins/registry.js';
import { listSettings } from '../../src/core/settings-schema.js';
import { nodeSettingsSchema } from '../../src/server/settings.js';
import { ROOT } from '../helpers/keyway-process.js';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const docs = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);

test('docs/cli.md has a section for every command', () => {
  const cli = read('docs/cli.md');
  const missing = COMMANDS.filter((c) => !new RegExp(`^## ${c.name}\\b`, 'm').test(cli)).map((c) => c.name);
  assert.deepEqual(missing, [], 'commands without a "## <command>" section');
});

test('docs/plugins.md has a row for every built-in plugin', () => {
  const plugins = read('docs/plugins.md');
  const missing = listPlugins()
    .map((p) => p.name)
    .filter((name) => !plugins.includes(`| \`${name}\``));
  assert.deepEqual(missing, []);
});

test('docs/declarative-config.md lists every top-level field of a declarative file', () => {
  const doc = read('docs/declarative-config.md');
  const top = doc.slice(doc.indexOf('## Top level'), doc.indexOf('## Nesting'));
  const missing = Object.keys(documentSchema.properties).filter((f) => !top.includes(`| \`${f}\``));
  assert.deepEqual(missing, []);
});

test('docs/configuration.md has a row for every node setting, observability.md its section', () => {
  const config = read('docs/configuration.md');
  const observability = read('docs/observability.md');
  const missing: string[] = [];
  for (const s of listSettings(nodeSettingsSchema)) {
    if (s.leaf.internal === true) continue;
    if (s.fileKey?.startsWith('observability.') === true) {
      // One row per variable in observability.md's table; the file key is the variable's name in lower case.
      const table = observability.slice(observability.indexOf('## Settings (environment)'));
      if (s.env !== undefined && !table.includes(`\`${s.env}\``)) missing.push(s.env);
      continue;
    }
    const row = config.split('\n').find((l) => s.env !== undefined && l.includes(`\`${s.env}\``));
    if (row === undefined) missing.push(s.env ?? String(s.fileKey));
    else if (s.fileKey !== undefined && !row.includes(`\`${s.fileKey}\``)) missing.push(String(s.fileKey));
  }
  assert.deepEqual(missing, []);
});

test('every relative link in README.md and docs/ points at a file that exists', () => {
  const broken: string[] = [];
  for (const file of ['README.md', 'examples/README.md', ...docs]) {
    const text = read(file);
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] ?? '').split('#')[0] ?? '';
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      if (!existsSync(join(ROOT, dirname(file), target))) broken.push(`${file}: ${target}`);
    }
    // Design notes that are not in the repository cannot be cited as if they were.
    if (/DESIGN\.md/.test(text) && !existsSync(join(ROOT, 'DESIGN.md'))) broken.push(`${file}: DESIGN.md`);
  }
  assert.deepEqual(broken, []);
});

/** Mistakes the docs make on purpose, to show what the CLI answers. */
const DELIBERATE = new Set(['apply --bogus', 'stauts']);

test('every keyway command written in README.md and docs/cli.md parses', () => {
  const bad: string[] = [];
  let checked = 0;
  for (const file of ['README.md', 'docs/cli.md', 'examples/README.md']) {
    for (const m of read(file).matchAll(/(?:^|\$ |npx )keyway ([^\n#`|]*)/gm)) {
      const line = (m[1] ?? '').trim();
      const all = line.split(/\s+/).filter((w) => w !== '');
      // Shell syntax ends the command; synopses (`[--flag]`, `a|b`, `<command>`, `…`) are not commands.
      const cut = all.findIndex((w) => /^(\d?>|<|\||&&|;)/.test(w));
      const argv = (cut < 0 ? all : all.slice(0, cut)).map((w) => w.replace(/^<[A-Za-z-]+>$/, 'X'));
      if (argv.length === 0 || argv.some((w) => /[[\]…|]|^<|^\w+\|/.test(w)) || argv[0] === 'X') continue;
      // `keyway status: cannot reach…` is the CLI's output, not a command.
      if (argv[0]?.endsWith(':') === true || DELIBERATE.has(argv.join(' '))) continue;
      checked++;
      try {
        parseCommandLine(argv);
      } catch (err) {
        bad.push(`${file}: keyway ${line} → ${(err as Error).message}`);
      }
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(checked >= 30, `only ${checked} commands found: is the pattern still right?`);
});
