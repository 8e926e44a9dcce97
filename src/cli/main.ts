/**
 * The `keyway` command line. Flags are parsed with node:util `parseArgs` (strict: an unknown or
 * misplaced flag is an error, not silently ignored), then one command module runs with a `CliContext`.
 * Exit codes: 0 ok, 1 the operation failed, 2 usage error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isKeywayError } from '../core/errors.js';
import {
  CliError,
  DEFAULT_ADMIN_URL,
  DEFAULT_DATA_DIR,
  processOutput,
  type CliContext,
  type Output,
} from './context.js';
import { applyCommand } from './commands/apply.js';
import { exportCommand } from './commands/export.js';
import { helpCommand, USAGE } from './commands/help.js';
import { keysCommand, type KeysOptions } from './commands/keys.js';
import { statusCommand } from './commands/status.js';
import { logsCommand, type LogsOptions } from './commands/logs.js';
import { usageCommand } from './commands/usage.js';
import { versionCommand } from './commands/version.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL: Options = {
  'admin-url': { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const COMMANDS: Record<string, Options> = {
  start: { config: { type: 'string', short: 'c' }, workers: { type: 'string' } },
  apply: {
    file: { type: 'string', short: 'f' },
    'dry-run': { type: 'boolean' },
    workspace: { type: 'string', short: 'w' },
  },
  export: { workspace: { type: 'string', short: 'w' }, output: { type: 'string', short: 'o' } },
  keys: {
    app: { type: 'string' },
    scopes: { type: 'string' },
    'expires-in': { type: 'string' },
    env: { type: 'string' },
    tier: { type: 'string' },
    grace: { type: 'string' },
    workspace: { type: 'string', short: 'w' },
  },
  status: {},
  logs: {
    consumer: { type: 'string' },
    route: { type: 'string' },
    service: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    follow: { type: 'boolean' },
  },
  usage: {
    key: { type: 'string' },
    app: { type: 'string' },
    consumer: { type: 'string' },
    workspace: { type: 'string', short: 'w' },
  },
  version: {},
  help: {},
};

type Values = Record<string, string | boolean | undefined>;

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function parse(argv: string[]): { command: string; values: Values; args: string[] } {
  // All flags of all commands in one strict pass, then a check that each one belongs to the command:
  // global flags may stand before or after the command name.
  const all: Options = { ...GLOBAL };
  for (const opts of Object.values(COMMANDS)) Object.assign(all, opts);
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nRun "keyway help" for usage.`, 2);
  }
  const [command = 'help', ...extra] = parsed.positionals;
  const own = COMMANDS[command];
  if (own === undefined) throw new CliError(`unknown command "${command}"\nRun "keyway help" for usage.`, 2);
  // `keys` takes a subcommand and, for rotate/revoke, an id: `keyway keys rotate ID`.
  const allowed = command === 'keys' ? 2 : 0;
  if (extra.length > allowed)
    throw new CliError(`unexpected argument "${extra[allowed]}" for "keyway ${command}"`, 2);
  for (const name of Object.keys(parsed.values)) {
    if (!(name in GLOBAL) && !(name in own))
      throw new CliError(`"keyway ${command}" has no --${name} flag`, 2);
  }
  return {
    command: parsed.values['help'] === true ? 'help' : command,
    values: parsed.values,
    args: extra,
  };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('paste the key, then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the CLI and returns the exit code. `env` and `output` are parameters for tests. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  output: Output = processOutput,
): Promise<number> {
  try {
    const { command, values, args } = parse(argv);
    const token = str(values, 'token') ?? env['KEYWAY_ADMIN_TOKEN'];
    const ctx: CliContext = {
      adminUrl: str(values, 'admin-url') ?? env['KEYWAY_ADMIN_URL'] ?? DEFAULT_ADMIN_URL,
      dataDir: str(values, 'data-dir') ?? env['KEYWAY_DATA_DIR'] ?? DEFAULT_DATA_DIR,
      json: values['json'] === true,
      output,
      ...(token === undefined ? {} : { token }),
    };
    switch (command) {
      case 'start': {
        // Loaded on demand: the other commands should not pay for loading the whole server.
        const { startCommand, parseWorkers } = await import('./commands/start.js');
        const configFile = str(values, 'config');
        const workers = parseWorkers(str(values, 'workers'));
        return await startCommand({
          ...(configFile === undefined ? {} : { configFile }),
          ...(workers === undefined ? {} : { workers }),
        });
      }
      case 'apply': {
        const file = str(values, 'file');
        if (file === undefined) throw new CliError('keyway apply needs -f FILE', 2);
        const workspace = str(values, 'workspace');
        return await applyCommand(ctx, {
          file,
          dryRun: values['dry-run'] === true,
          ...(workspace === undefined ? {} : { workspace }),
        });
      }
      case 'export': {
        const workspace = str(values, 'workspace');
        const outFile = str(values, 'output');
        return await exportCommand(ctx, {
          ...(workspace === undefined ? {} : { workspace }),
          ...(outFile === undefined ? {} : { outFile }),
        });
      }
      case 'keys': {
        const opts: KeysOptions = { sub: args[0], id: args[1], readStdin };
        const flag = (name: string): string | undefined => str(values, name);
        const pairs: Array<[keyof KeysOptions, string]> = [
          ['app', 'app'],
          ['scopes', 'scopes'],
          ['expiresIn', 'expires-in'],
          ['env', 'env'],
          ['tier', 'tier'],
          ['grace', 'grace'],
          ['workspace', 'workspace'],
        ];
        for (const [field, name] of pairs) {
          const v = flag(name);
          if (v !== undefined) (opts as unknown as Record<string, string>)[field] = v;
        }
        return await keysCommand(ctx, opts);
      }
      case 'usage': {
        const opts: Record<string, string> = {};
        for (const f of ['key', 'app', 'consumer', 'workspace']) {
          const v = str(values, f);
          if (v !== undefined) opts[f] = v;
        }
        return await usageCommand(ctx, opts);
      }
      case 'logs': {
        const opts: LogsOptions = { follow: values['follow'] === true };
        for (const name of ['consumer', 'route', 'service', 'status', 'since', 'until', 'limit'] as const) {
          const v = str(values, name);
          if (v !== undefined) opts[name] = v;
        }
        return await logsCommand(ctx, opts);
      }
      case 'status':
        return await statusCommand(ctx);
      case 'version':
        return await versionCommand(ctx);
      default:
        return await helpCommand(ctx);
    }
  } catch (err) {
    if (err instanceof CliError) {
      output.err(`keyway: ${err.message}`);
      if (err.exitCode === 2 && !err.message.includes('keyway help')) output.err(USAGE);
      return err.exitCode;
    }
    // Bad node settings and the like: the registry's message names the setting, never a secret.
    if (isKeywayError(err)) {
      output.err(`keyway: ${err.code}: ${err.message}`);
      return 1;
    }
    output.err(
      `keyway: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return 1;
  }
}
