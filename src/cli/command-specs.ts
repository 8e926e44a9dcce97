/**
 * Every command of the `keyway` CLI, its flags and arguments, in one table: the parser (args.ts) checks
 * input against it, and `keyway help` / `keyway <command> --help` print it, so the two cannot drift.
 */

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help: `-f, --file FILE`. */
  value?: string;
  /** May be given several times (`--select-tag a --select-tag b`). */
  multiple?: boolean;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Synopsis lines, without the leading `keyway `. */
  usage: string[];
  flags: Record<string, FlagSpec>;
  /** Positional arguments: how many at most, and their names for messages. */
  args?: { max: number; names: string[] };
  /** Whether the command talks to a running node's admin API (and takes the connection flags). */
  admin: boolean;
  /** Extra lines printed under the flags by `--help`. */
  notes?: string[];
}

export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'admin-url': {
    type: 'string',
    value: 'URL',
    help: 'admin API (env KEYWAY_ADMIN_URL, default http://127.0.0.1:8001)',
  },
  token: {
    type: 'string',
    value: 'TOKEN',
    help: 'admin token (env KEYWAY_ADMIN_TOKEN, default: read <data dir>/admin-token)',
  },
  'data-dir': { type: 'string', value: 'DIR', help: 'data directory (env KEYWAY_DATA_DIR, default ./data)' },
  json: { type: 'boolean', help: 'machine-readable output; errors as {"error": {…}} on stderr' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
  version: { type: 'boolean', help: 'print the version' },
};

const workspace: FlagSpec = { type: 'string', short: 'w', value: 'W', help: 'workspace (default: default)' };

export const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    summary: 'run a Keyway node (proxy + admin API) in the foreground',
    usage: ['start [--config FILE] [--workers N]'],
    flags: {
      config: { type: 'string', short: 'c', value: 'FILE', help: 'node settings file (YAML)' },
      workers: { type: 'string', value: 'N', help: 'run N worker processes on the same ports' },
    },
    admin: false,
    notes: [
      'The banner (addresses, admin token file) goes to stderr; logs go to stdout, as JSON lines,',
      'or as readable lines when stdout is a terminal (log.format, KEYWAY_LOG_FORMAT).',
    ],
  },
  {
    name: 'demo',
    summary: 'run a small echo backend to try routes on (no backend of your own needed)',
    usage: ['demo [--listen HOST:PORT]'],
    flags: {
      listen: { type: 'string', value: 'HOST:PORT', help: 'where to listen (default 127.0.0.1:9000)' },
    },
    admin: false,
    notes: ['It answers every request with a JSON echo of what it received: method, path, query, headers.'],
  },
  {
    name: 'apply',
    summary: 'make a workspace match a declarative YAML file',
    usage: ['apply -f FILE [--dry-run [--exit-code]] [--select-tag TAG]… [--workspace W]'],
    flags: {
      file: { type: 'string', short: 'f', value: 'FILE', help: 'the declarative file (required)' },
      'dry-run': { type: 'boolean', help: 'print the changes, write nothing' },
      'exit-code': { type: 'boolean', help: 'with --dry-run: exit 2 when there are changes, 0 when none' },
      'select-tag': {
        type: 'string',
        value: 'TAG',
        multiple: true,
        help: 'manage only resources carrying TAG: the rest of the workspace is left alone',
      },
      workspace: { ...workspace, help: 'apply to workspace W, whatever the file says' },
    },
    admin: true,
    notes: [
      'Without --select-tag (or _info.select_tags in the file) the file is the whole workspace:',
      'what it does not list is deleted. The dry run shows every deletion first.',
    ],
  },
  {
    name: 'export',
    summary: 'print a workspace as declarative YAML',
    usage: ['export [--workspace W] [--select-tag TAG]… [-o FILE]'],
    flags: {
      workspace,
      'select-tag': {
        type: 'string',
        value: 'TAG',
        multiple: true,
        help: 'only resources carrying TAG (the file then applies with the same selection)',
      },
      output: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE (mode 0600)' },
    },
    admin: true,
  },
  {
    name: 'import',
    summary: 'convert another gateway’s configuration (a Kong decK file) into a Keyway file, offline',
    usage: ['import kong -f kong.yaml [-o keyway.yaml] [--jwt-audience AUD]… [--workspace W]'],
    flags: {
      file: {
        type: 'string',
        short: 'f',
        value: 'FILE',
        help: 'the decK file (format 3.x) to convert (required)',
      },
      output: {
        type: 'string',
        short: 'o',
        value: 'FILE',
        help: 'write the Keyway file to FILE (mode 0600)',
      },
      'jwt-audience': {
        type: 'string',
        value: 'AUD',
        multiple: true,
        help: 'aud of your JWTs: Keyway checks it, Kong’s jwt plugin did not',
      },
      workspace: {
        ...workspace,
        help: 'the workspace the Keyway file describes (default: decK’s _workspace)',
      },
    },
    args: { max: 1, names: ['SOURCE'] },
    admin: false,
    notes: [
      'What cannot be converted is listed on stderr, each at its line in the decK file, with the reason.',
      'The output may hold API keys and secrets in clear: keyway apply hashes and seals them.',
    ],
  },
  {
    name: 'keys',
    summary: 'issue, list, rotate, revoke and import API keys',
    usage: [
      'keys create --app APP [--scopes a,b] [--expires-in 30d] [--env live|test] [--tier T]',
      'keys list [--app APP]',
      'keys rotate ID [--grace 24h]',
      'keys revoke ID',
      'keys import --app APP [--scopes a,b] [--expires-in 30d]   (reads the key from stdin)',
    ],
    flags: {
      app: { type: 'string', value: 'APP', help: 'the app the key belongs to' },
      scopes: { type: 'string', value: 'a,b', help: 'scopes of the key (narrowed to the app’s)' },
      'expires-in': { type: 'string', value: 'DURATION', help: '90s, 15m, 24h or 30d' },
      env: { type: 'string', value: 'live|test', help: 'the key’s prefix: kw_live_ or kw_test_' },
      tier: { type: 'string', value: 'T', help: 'a tier label for plans and limits' },
      grace: { type: 'string', value: 'DURATION', help: 'rotate: how long the old key keeps working' },
      workspace,
    },
    args: { max: 2, names: ['SUBCOMMAND', 'ID'] },
    admin: true,
  },
  {
    name: 'admins',
    summary: 'admin users, their roles per workspace, and their tokens',
    usage: [
      'admins list',
      'admins create NAME [--grant WORKSPACE:ROLE]… [--password-stdin]',
      'admins grant NAME [--grant WORKSPACE:ROLE]…   (replaces the user’s grants; a team admin: the team’s)',
      'admins disable|enable NAME',
      'admins delete NAME',
      'admins tokens list|create|revoke NAME [ID] [--name T] [--expires-in 90d]',
    ],
    flags: {
      grant: {
        type: 'string',
        value: 'WS:ROLE',
        multiple: true,
        help: 'a role on a workspace (*:ROLE for every workspace)',
      },
      'password-stdin': { type: 'boolean', help: 'read the user’s password from stdin (never argv)' },
      name: { type: 'string', value: 'T', help: 'tokens create: the token’s name' },
      'expires-in': { type: 'string', value: 'DAYS', help: 'tokens create: 30d (default 90d)' },
    },
    args: { max: 4, names: ['SUBCOMMAND', 'NAME', 'ID'] },
    admin: true,
    notes: [
      'Roles: super_admin (on * only), workspace_admin, api_publisher, approver, viewer.',
      'A workspace admin manages the users of their own workspaces only (docs/admin-users.md#team-admins).',
    ],
  },
  {
    name: 'history',
    summary: 'the kept versions of a workspace’s configuration, newest first',
    usage: ['history [--workspace W] [--limit N]'],
    flags: {
      workspace,
      limit: { type: 'string', value: 'N', help: 'how many versions (default 20)' },
    },
    admin: true,
  },
  {
    name: 'rollback',
    summary: 'restore a kept version of a workspace (itself a new version)',
    usage: ['rollback VERSION [--workspace W] [--dry-run]'],
    flags: {
      workspace,
      'dry-run': { type: 'boolean', help: 'print the changes, write nothing' },
    },
    args: { max: 1, names: ['VERSION'] },
    admin: true,
  },
  {
    name: 'subscriptions',
    summary: 'list subscriptions; approve, reject, suspend, resume or revoke one',
    usage: [
      'subscriptions list [--status pending] [--app APP] [--service SERVICE]',
      'subscriptions approve|resume APP@SERVICE',
      'subscriptions reject|suspend|revoke APP@SERVICE --reason TEXT',
    ],
    flags: {
      status: {
        type: 'string',
        value: 'S',
        help: 'list: pending, approved, rejected, suspended or revoked',
      },
      app: { type: 'string', value: 'APP', help: 'list: only this app’s subscriptions' },
      service: { type: 'string', value: 'SERVICE', help: 'list: only subscriptions to this service' },
      reason: { type: 'string', value: 'TEXT', help: 'why (required to reject, suspend and revoke)' },
      workspace,
    },
    args: { max: 2, names: ['SUBCOMMAND', 'ID'] },
    admin: true,
    notes: [
      'A subscription is named by its id or APP@SERVICE. Changes reach every node within a second;',
      'rejected and revoked are final (subscribe anew).',
    ],
  },
  {
    name: 'usage',
    summary: 'quota usage, AI spend and tokens of a key, app or consumer',
    usage: ['usage --key ID | --app NAME | --consumer NAME [--workspace W]'],
    flags: {
      key: { type: 'string', value: 'ID', help: 'a key’s id' },
      app: { type: 'string', value: 'NAME', help: 'an app' },
      consumer: { type: 'string', value: 'NAME', help: 'a consumer' },
      workspace,
    },
    admin: true,
  },
  {
    name: 'explain',
    summary: 'would a request be allowed, and why (route, caller, each access check), without sending it',
    usage: [
      'explain [--key ID | --app NAME | --consumer NAME] METHOD PATH [-H "Name: value"]… [--ip ADDR]',
      '        [--host HOST] [--workspace W]',
    ],
    flags: {
      key: { type: 'string', value: 'ID', help: 'the caller is this API key (its id)' },
      app: { type: 'string', value: 'NAME', help: 'the caller is any credential of this app' },
      consumer: { type: 'string', value: 'NAME', help: 'the caller is this consumer, without an app' },
      header: {
        type: 'string',
        short: 'H',
        value: 'H',
        multiple: true,
        help: 'a request header, "Name: value"',
      },
      ip: { type: 'string', value: 'ADDR', help: 'the client address (default 127.0.0.1)' },
      host: { type: 'string', value: 'HOST', help: 'the Host header (for routes with hosts)' },
      workspace,
    },
    args: { max: 2, names: ['METHOD', 'PATH'] },
    admin: true,
    notes: [
      'Exit status: 0 allowed, 1 denied. Uses the configuration the node serves now; sends nothing upstream.',
    ],
  },
  {
    name: 'logs',
    summary: 'call records, oldest first; --follow streams new ones',
    usage: [
      'logs [--status 5xx] [--since 2h] [--until T] [--consumer C] [--route R] [--service S]',
      '     [--workspace W] [--tail N] [--follow]',
    ],
    flags: {
      status: { type: 'string', value: 'S', help: '5xx, 4xx… or one status such as 502' },
      since: {
        type: 'string',
        value: 'T',
        help: 'a duration back from now (2h, 30m, 7d) or an ISO time; default 1h',
      },
      until: { type: 'string', value: 'T', help: 'end of the window (default now)' },
      consumer: { type: 'string', value: 'C', help: 'only calls of this consumer' },
      route: { type: 'string', value: 'R', help: 'only calls on this route' },
      service: { type: 'string', value: 'S', help: 'only calls to this service' },
      workspace: { ...workspace, help: 'only calls in workspace W (default: every workspace)' },
      tail: { type: 'string', value: 'N', help: 'the newest N records (default 100, at most 1000)' },
      limit: { type: 'string', value: 'N', help: 'same as --tail' },
      follow: { type: 'boolean', short: 'f', help: 'keep printing new records; survives a node restart' },
    },
    admin: true,
  },
  {
    name: 'status',
    summary: 'what the running node serves',
    usage: ['status'],
    flags: {},
    admin: true,
  },
  {
    name: 'version',
    summary: 'print the CLI version',
    usage: ['version'],
    flags: {},
    admin: false,
  },
  {
    name: 'help',
    summary: 'show help for a command',
    usage: ['help [COMMAND]'],
    flags: {},
    args: { max: 1, names: ['COMMAND'] },
    admin: false,
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
