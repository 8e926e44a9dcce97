/** `keyway help [COMMAND]` and `--help`: printed from the same table the parser checks (command-specs.ts). */
import { COMMANDS, GLOBAL_FLAGS, commandSpec, type CommandSpec, type FlagSpec } from '../command-specs.js';
import { CliError, type CliContext } from '../context.js';

function flagLine(name: string, f: FlagSpec): [string, string] {
  const short = f.short === undefined ? '    ' : `-${f.short}, `;
  const value = f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : '';
  return [`  ${short}--${name}${value}`, f.help + (f.multiple === true ? ' (repeatable)' : '')];
}

function columns(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, r]) => (l.length >= width - 1 ? `${l}  ${r}` : l.padEnd(width) + r));
}

/** The overview: commands and the global flags. */
export function overview(): string {
  return [
    'Usage: keyway <command> [flags]',
    '',
    'Commands:',
    ...columns(COMMANDS.map((c) => [`  ${c.name}`, c.summary])),
    '',
    'Flags for commands that call the admin API:',
    ...columns(Object.entries(GLOBAL_FLAGS).map(([name, f]) => flagLine(name, f))),
    '',
    'Run "keyway <command> --help" for a command’s flags. Docs: docs/cli.md',
  ].join('\n');
}

export function commandHelp(c: CommandSpec): string {
  const own = Object.entries(c.flags).map(([name, f]) => flagLine(name, f));
  const globals = Object.entries(GLOBAL_FLAGS)
    .filter(
      ([name]) =>
        c.admin || name === 'help' || (name === 'json' && (c.name === 'version' || c.name === 'import')),
    )
    .map(([name, f]) => flagLine(name, f));
  return [
    ...c.usage.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}keyway ${u}`),
    '',
    `${c.summary[0]?.toUpperCase() ?? ''}${c.summary.slice(1)}.`,
    ...(own.length > 0 ? ['', 'Flags:', ...columns(own)] : []),
    ...(c.notes === undefined ? [] : ['', ...c.notes]),
    '',
    'Global flags:',
    ...columns(globals),
    '',
    `Docs: docs/cli.md#${c.name}`,
  ].join('\n');
}

export async function helpCommand(ctx: CliContext, topic?: string): Promise<number> {
  if (topic === undefined) {
    ctx.output.out(overview());
    return 0;
  }
  const spec = commandSpec(topic);
  if (spec === undefined) throw new CliError(`no command "${topic}" to show help for`, 2);
  ctx.output.out(commandHelp(spec));
  return 0;
}
