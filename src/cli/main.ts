/**
 * The `keyway` command line: the words are checked against the command table (command-specs.ts, args.ts),
 * then one command module runs with a `CliContext`. Every failure is one line on stderr, or with `--json`
 * one `{"error": {code, message, …}}` object.
 * Exit codes: 0 ok, 1 the operation failed, 2 usage error (and `apply --dry-run --exit-code`: changes).
 */
import { isKeywayError } from '../core/errors.js';
import { KEYWAY_VERSION } from '../core/version.js';
import { AdminApiError } from './admin-client.js';
import { commandNamed, list, parseCommandLine, str, type Parsed } from './args.js';
import {
  CliError,
  DEFAULT_ADMIN_URL,
  DEFAULT_DATA_DIR,
  processOutput,
  type CliContext,
  type Output,
} from './context.js';
import { adminsCommand, type AdminsOptions } from './commands/admins.js';
import { applyCommand } from './commands/apply.js';
import { historyCommand, rollbackCommand } from './commands/history.js';
import { exportCommand } from './commands/export.js';
import { commandHelp, helpCommand, overview } from './commands/help.js';
import { keysCommand, type KeysOptions } from './commands/keys.js';
import { subscriptionsCommand, type SubscriptionsOptions } from './commands/subscriptions.js';
import { statusCommand } from './commands/status.js';
import { logsCommand, type LogsOptions } from './commands/logs.js';
import { usageCommand } from './commands/usage.js';
import { explainCommand, type ExplainOptions } from './commands/explain.js';
import { versionCommand } from './commands/version.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    process.stderr.write('paste it (a key, a password), then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs the CLI and returns the exit code. `env`: the process's environment, given by the entry point
 * (bin/keyway.js) so tests pass their own; `output` likewise.
 */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: Output = processOutput,
): Promise<number> {
  // Known before parsing, so that even a parse error comes out as JSON when JSON was asked for.
  const json = argv.includes('--json');
  let parsed: Parsed | undefined;
  try {
    parsed = parseCommandLine(argv);
    const { command, values, args } = parsed;
    if (parsed.version) {
      output.out(json ? JSON.stringify({ version: KEYWAY_VERSION }) : `keyway ${KEYWAY_VERSION}`);
      return 0;
    }
    if (command === undefined) {
      // `keyway` alone: the overview is what the person needs, but nothing was done (exit 2, like git).
      if (parsed.help) {
        output.out(overview());
        return 0;
      }
      if (json) throw new CliError('no command given (see keyway help)', 2);
      output.err(overview());
      return 2;
    }
    if (parsed.help) {
      output.out(commandHelp(command));
      return 0;
    }
    const token = str(values, 'token') ?? env['KEYWAY_ADMIN_TOKEN'];
    const ctx: CliContext = {
      adminUrl: str(values, 'admin-url') ?? env['KEYWAY_ADMIN_URL'] ?? DEFAULT_ADMIN_URL,
      dataDir: str(values, 'data-dir') ?? env['KEYWAY_DATA_DIR'] ?? DEFAULT_DATA_DIR,
      json: values['json'] === true,
      output,
      ...(token === undefined ? {} : { token }),
    };
    switch (command.name) {
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
      case 'demo': {
        const { demoCommand } = await import('./commands/demo.js');
        return await demoCommand(ctx, { listen: str(values, 'listen') });
      }
      case 'apply': {
        const file = str(values, 'file');
        if (file === undefined) throw new CliError('needs -f FILE, the declarative file to apply', 2);
        const dryRun = values['dry-run'] === true;
        if (values['exit-code'] === true && !dryRun)
          throw new CliError('--exit-code goes with --dry-run (it reports whether there are changes)', 2);
        const workspace = str(values, 'workspace');
        return await applyCommand(ctx, {
          file,
          dryRun,
          exitCode: values['exit-code'] === true,
          selectTags: list(values, 'select-tag'),
          ...(workspace === undefined ? {} : { workspace }),
        });
      }
      case 'export': {
        const workspace = str(values, 'workspace');
        const outFile = str(values, 'output');
        return await exportCommand(ctx, {
          selectTags: list(values, 'select-tag'),
          ...(workspace === undefined ? {} : { workspace }),
          ...(outFile === undefined ? {} : { outFile }),
        });
      }
      case 'import': {
        // Loaded on demand, like `start`: only this command needs the converter.
        const { importCommand } = await import('./commands/import.js');
        const outFile = str(values, 'output');
        const workspace = str(values, 'workspace');
        return await importCommand(ctx, {
          source: args[0],
          file: str(values, 'file'),
          jwtAudiences: list(values, 'jwt-audience'),
          env,
          ...(outFile === undefined ? {} : { outFile }),
          ...(workspace === undefined ? {} : { workspace }),
        });
      }
      case 'keys': {
        const opts: KeysOptions = { sub: args[0], id: args[1], readStdin };
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
          const v = str(values, name);
          if (v !== undefined) (opts as unknown as Record<string, string>)[field] = v;
        }
        return await keysCommand(ctx, opts);
      }
      case 'admins': {
        const opts: AdminsOptions = {
          args,
          grants: list(values, 'grant'),
          passwordStdin: values['password-stdin'] === true,
          readStdin,
        };
        const tokenName = str(values, 'name');
        const expiresIn = str(values, 'expires-in');
        if (tokenName !== undefined) opts.tokenName = tokenName;
        if (expiresIn !== undefined) opts.expiresIn = expiresIn;
        return await adminsCommand(ctx, opts);
      }
      case 'history': {
        const workspace = str(values, 'workspace');
        const limit = str(values, 'limit');
        return await historyCommand(ctx, {
          ...(workspace === undefined ? {} : { workspace }),
          ...(limit === undefined ? {} : { limit }),
        });
      }
      case 'rollback': {
        const workspace = str(values, 'workspace');
        return await rollbackCommand(ctx, {
          version: args[0],
          dryRun: values['dry-run'] === true,
          ...(workspace === undefined ? {} : { workspace }),
        });
      }
      case 'subscriptions': {
        const opts: SubscriptionsOptions = { sub: args[0], id: args[1] };
        for (const f of ['status', 'app', 'service', 'reason', 'workspace'] as const) {
          const v = str(values, f);
          if (v !== undefined) opts[f] = v;
        }
        return await subscriptionsCommand(ctx, opts);
      }
      case 'usage': {
        const opts: Record<string, string> = {};
        for (const f of ['key', 'app', 'consumer', 'workspace']) {
          const v = str(values, f);
          if (v !== undefined) opts[f] = v;
        }
        return await usageCommand(ctx, opts);
      }
      case 'explain': {
        const opts: ExplainOptions = { method: args[0], path: args[1], headers: list(values, 'header') };
        for (const f of ['key', 'app', 'consumer', 'ip', 'host', 'workspace'] as const) {
          const v = str(values, f);
          if (v !== undefined) opts[f] = v;
        }
        return await explainCommand(ctx, opts);
      }
      case 'logs': {
        const opts: LogsOptions = { follow: values['follow'] === true };
        for (const name of [
          'consumer',
          'route',
          'service',
          'status',
          'since',
          'until',
          'workspace',
        ] as const) {
          const v = str(values, name);
          if (v !== undefined) opts[name] = v;
        }
        const tail = str(values, 'tail') ?? str(values, 'limit');
        if (tail !== undefined) opts.tail = tail;
        return await logsCommand(ctx, opts);
      }
      case 'status':
        return await statusCommand(ctx);
      case 'version':
        return await versionCommand(ctx);
      default:
        return await helpCommand(ctx, args[0]);
    }
  } catch (err) {
    return report(err, parsed?.command?.name ?? commandNamed(argv), json, output);
  }
}

/** One line on stderr (or one JSON object with `--json`) for any failure, and the exit code. */
function report(err: unknown, command: string | undefined, json: boolean, output: Output): number {
  const prefix = command === undefined ? 'keyway: ' : `keyway ${command}: `;
  if (err instanceof CliError) {
    if (json) output.err(JSON.stringify({ error: { code: err.code, message: err.message } }));
    else {
      const help = command === undefined ? 'keyway help' : `keyway ${command} --help`;
      output.err(`${prefix}${err.message}${err.exitCode === 2 ? ` (see "${help}")` : ''}`);
    }
    return err.exitCode;
  }
  if (err instanceof AdminApiError) {
    if (json) output.err(JSON.stringify({ error: err.toBody() }));
    else output.err(`${prefix}${err.describe()}`);
    return 1;
  }
  // Bad node settings and the like: the registry's message names the setting, never a secret.
  if (isKeywayError(err)) {
    if (json) output.err(JSON.stringify(err.toBody()));
    else output.err(`${prefix}${err.code}: ${err.message}`);
    return 1;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (json) output.err(JSON.stringify({ error: { code: 'KW_ERR_INTERNAL', message: text } }));
  else output.err(`${prefix}unexpected error: ${text}`);
  return 1;
}
