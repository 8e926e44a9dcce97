/**
 * Command-line parsing against the table in command-specs.ts. node:util `parseArgs` splits the words
 * (`--flag=value`, `-abc`, `--`); the checks are ours, so every mistake gets one line that names the flag
 * and the command, instead of parseArgs' own wording.
 */
import { parseArgs } from 'node:util';
import { COMMANDS, GLOBAL_FLAGS, commandSpec, type CommandSpec, type FlagSpec } from './command-specs.js';
import { CliError } from './context.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  /** Undefined when no command was given (`keyway`, `keyway --json`). */
  command: CommandSpec | undefined;
  values: Values;
  args: string[];
  /** `--help`/`-h` was given: show the command's help (or the overview) instead of running it. */
  help: boolean;
  version: boolean;
}

/** Connection flags only make sense for commands that call the admin API. */
const CONNECTION = new Set(['admin-url', 'token', 'data-dir']);

function flagsOf(command: CommandSpec | undefined): Record<string, FlagSpec> {
  const globals: Record<string, FlagSpec> = {};
  for (const [name, flag] of Object.entries(GLOBAL_FLAGS)) {
    if (command !== undefined && !command.admin) {
      if (CONNECTION.has(name)) continue;
      // `start` and `demo` print logs, not results: there is nothing to print as JSON.
      if (name === 'json' && command.name !== 'version' && command.name !== 'import') continue;
    }
    globals[name] = flag;
  }
  return { ...globals, ...(command?.flags ?? {}) };
}

/** The first word that is neither a flag nor the value of a global flag: the command's name. */
function findCommand(argv: string[]): { name: string | undefined; index: number } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return { name: argv[i + 1], index: i + 1 };
    if (!a.startsWith('-') || a === '-') return { name: a, index: i };
    const name = a.replace(/^--?/, '');
    if (!a.includes('=') && GLOBAL_FLAGS[name]?.type === 'string') i++;
  }
  return { name: undefined, index: -1 };
}

/** The command a command line names, if it is one (for messages about a line that did not parse). */
export function commandNamed(argv: string[]): string | undefined {
  const name = findCommand(argv).name;
  return name === undefined ? undefined : commandSpec(name)?.name;
}

export function parseCommandLine(argv: string[]): Parsed {
  const found = findCommand(argv);
  const command = found.name === undefined ? undefined : commandSpec(found.name);
  if (found.name !== undefined && command === undefined) {
    const hint = closest(found.name);
    throw new CliError(
      `unknown command "${found.name}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; ` +
        `the commands are ${COMMANDS.map((c) => c.name).join(', ')}`,
      2,
    );
  }
  const rest = found.index < 0 ? argv : [...argv.slice(0, found.index), ...argv.slice(found.index + 1)];
  const flags = flagsOf(command);
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.short === undefined ? {} : { short: f.short }), multiple: true },
    ]),
  );
  // strict: false so that unknown flags come back as tokens we can name, instead of parseArgs' text.
  const { tokens } = parseArgs({ args: rest, options, strict: false, allowPositionals: true, tokens: true });
  const values: Values = {};
  const args: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      args.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const spec = flags[t.name];
    const shown = t.rawName.startsWith('--') ? t.rawName : `${t.rawName} (--${t.name})`;
    if (spec === undefined) {
      throw new CliError(
        GLOBAL_FLAGS[t.name] === undefined
          ? `unknown flag ${t.rawName}`
          : `${t.rawName} is not a flag of this command`,
        2,
      );
    }
    if (spec.type === 'boolean') {
      if (t.value !== undefined) throw new CliError(`${shown} takes no value`, 2);
      values[t.name] = true;
      continue;
    }
    if (t.value === undefined || (t.inlineValue !== true && t.value.startsWith('-') && t.value !== '-')) {
      throw new CliError(`${shown} needs a value (${spec.value ?? 'VALUE'})`, 2);
    }
    if (spec.multiple === true) {
      const list = values[t.name];
      values[t.name] = Array.isArray(list) ? [...list, t.value] : [t.value];
    } else if (values[t.name] !== undefined) {
      throw new CliError(`${shown} is given twice`, 2);
    } else {
      values[t.name] = t.value;
    }
  }
  const help = values['help'] === true;
  const max = command?.args?.max ?? 0;
  if (!help && args.length > max) {
    const extra = args[max] ?? '';
    throw new CliError(
      max === 0
        ? `unexpected argument "${extra}"`
        : `unexpected argument "${extra}" (takes ${command?.args?.names.join(' ') ?? ''})`,
      2,
    );
  }
  return { command, values, args, help, version: values['version'] === true };
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** The command whose name is nearest to a typo, when it is near enough to be a plausible intent. */
function closest(name: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const c of COMMANDS) {
    const d = distance(name.toLowerCase(), c.name);
    if (best === undefined || d < best.d) best = { name: c.name, d };
  }
  return best !== undefined && best.d <= Math.max(1, Math.floor(best.name.length / 3))
    ? best.name
    : undefined;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment), the
 * commonest typo (`stauts`); names are a few letters long, so the quadratic table is nothing.
 */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}
