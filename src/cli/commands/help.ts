/** `keyway help`: usage. Kept next to the flags in main.ts so the two are read together. */
import type { CliContext } from '../context.js';

export const USAGE = `Usage: keyway <command> [flags]

Commands:
  start   [--config FILE] [--workers N]           run a Keyway node (proxy + admin API); N processes
  apply   -f FILE [--dry-run] [--workspace W]     make a workspace match a declarative YAML file
  export  [--workspace W] [-o FILE]               print a workspace as declarative YAML
  keys    create|list|rotate|revoke|import …      API keys (keyway keys with no subcommand: usage)
  usage   --key ID | --app NAME | --consumer NAME  quota usage of the current period
  logs    [--status 5xx] [--since 2h] [--consumer C] [--route R] [--follow]
                                                  call records, oldest first; --follow streams new ones
  status                                          show what the running node serves
  version                                         print the CLI version
  help                                            show this text

Global flags:
  --admin-url URL   admin API (env KEYWAY_ADMIN_URL, default http://127.0.0.1:8001)
  --token TOKEN     admin token (env KEYWAY_ADMIN_TOKEN, default: read <data dir>/admin-token)
  --data-dir DIR    data directory (env KEYWAY_DATA_DIR, default ./data)
  --json            machine-readable output
  -h, --help        show this text

Docs: docs/cli.md, docs/declarative-config.md, docs/admin-api.md`;

export async function helpCommand(ctx: CliContext): Promise<number> {
  ctx.output.out(USAGE);
  return 0;
}
