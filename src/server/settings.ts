/**
 * Node settings: where this Keyway process listens, where it keeps data, which store it uses.
 * Sources, later wins: built-in defaults < `keyway start --config FILE` (YAML) < `KEYWAY_*` environment
 * variables. These are settings of one node; the API configuration (services, routes…) lives in the store.
 *
 * `nodeSettingsSchema` below is the one declaration: the `NodeSettings` type, the file's keys and JSON
 * schema, the variables and the defaults all come from it (core/settings-schema.ts), and
 * docs/configuration.md is checked against it (test/docs/docs-coverage.test.ts). This module is also the
 * one place that reads the environment for Keyway.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, type Node as YamlNode } from 'yaml';
import { KeywayError } from '../core/errors.js';
import {
  fileSchema,
  group,
  int,
  list,
  oneOf,
  onOff,
  optionalGroup,
  parsed,
  resolveSettings,
  SettingRefused,
  text,
  type FileSource,
  type SettingsOf,
} from '../core/settings-schema.js';
import { validate } from '../core/validator.js';
import { observeSettingsSchema } from '../observe/observe-settings.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export type ClientCertMode = 'request' | 'off';

const LISTEN = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):([0-9]{1,5})$/;

export function parseListen(value: string, field: string): ListenAddress {
  try {
    return listenAddress(value);
  } catch (err) {
    if (err instanceof SettingRefused)
      throw new KeywayError('KW_ERR_NODE_CONFIG', { field, reason: err.message });
    throw err;
  }
}

function listenAddress(value: string): ListenAddress {
  const m = LISTEN.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) throw new SettingRefused(`"${value}" is not host:port`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

const listen = (env: string, dflt: string) =>
  parsed({
    env,
    default: listenAddress(dflt),
    schema: { type: 'string' },
    parse: listenAddress,
  });

/** Printable, no spaces (it is part of every key name), at most 64 characters. */
const REDIS_PREFIX = /^[A-Za-z0-9:_.{}-]{1,64}$/;
const ms = 'milliseconds';

export const nodeSettingsSchema = {
  data_dir: text({ env: 'KEYWAY_DATA_DIR', default: './data', map: (v) => resolve(v) }),
  database_url: text({
    env: 'KEYWAY_DATABASE_URL',
    default: undefined,
    pattern: /^postgres(ql)?:\/\//,
    reason: 'must start with postgres://',
  }),
  /** Longest wait for a store connection or one statement's answer (PostgreSQL), or a SQLite lock. */
  store_timeout_ms: int({ env: 'KEYWAY_STORE_TIMEOUT_MS', default: 5_000, min: 100, max: 600_000, unit: ms }),
  /** Versions of each workspace kept in the config history (docs/config-history.md). */
  config_history_keep: int({ env: 'KEYWAY_CONFIG_HISTORY_KEEP', default: 100, min: 1, max: 100_000 }),
  proxy: group(
    {
      listen: listen('KEYWAY_PROXY_LISTEN', '0.0.0.0:8000'),
      tls: optionalGroup(
        {
          listen: listen('KEYWAY_PROXY_TLS_LISTEN', '0.0.0.0:8443'),
          cert: text({ env: 'KEYWAY_TLS_CERT', default: '', map: (v) => resolve(v) }),
          key: text({ env: 'KEYWAY_TLS_KEY', default: '', map: (v) => resolve(v) }),
          /** Ask TLS clients for a certificate (`mtls-auth` verifies it per route); `off` never asks. */
          client_cert: oneOf(['request', 'off'], {
            env: 'KEYWAY_TLS_CLIENT_CERT',
            default: 'request',
            code: 'KW_ERR_TLS_CONFIG',
          }),
        },
        {
          required: ['cert', 'key'],
          present: (_v, given) => given('cert') || given('key'),
          check(_v, name, given) {
            if (given('cert') !== given('key'))
              throw new KeywayError('KW_ERR_TLS_CONFIG', {
                field: name(given('cert') ? 'key' : 'cert'),
                reason: 'certificate and key go together',
              });
          },
        },
      ),
      /** Addresses (IPs or CIDRs) whose X-Forwarded-* / Forwarded headers are believed. */
      trusted_proxies: list({ env: 'KEYWAY_TRUSTED_PROXIES' }),
      max_uri_bytes: int({ env: 'KEYWAY_MAX_URI_BYTES', default: 8192, min: 256, max: 65536 }),
      max_header_bytes: int({ env: 'KEYWAY_MAX_HEADER_BYTES', default: 32768, min: 1024, max: 262144 }),
      /** How long SIGTERM waits for in-flight requests before closing them. */
      drain_timeout_ms: int({
        env: 'KEYWAY_DRAIN_TIMEOUT_MS',
        default: 10_000,
        min: 0,
        max: 3_600_000,
        unit: ms,
      }),
      keepalive_timeout_ms: int({
        env: 'KEYWAY_KEEPALIVE_TIMEOUT_MS',
        default: 65_000,
        min: 0,
        max: 3_600_000,
        unit: ms,
      }),
      /** Client side of the proxy listeners: timeouts and connection caps (docs/configuration.md#timeouts). */
      header_timeout_ms: int({
        env: 'KEYWAY_HEADER_TIMEOUT_MS',
        default: 10_000,
        min: 1,
        max: 3_600_000,
        unit: ms,
      }),
      body_timeout_ms: int({
        env: 'KEYWAY_BODY_TIMEOUT_MS',
        default: 60_000,
        min: 0,
        max: 3_600_000,
        unit: ms,
      }),
      request_timeout_ms: int({
        env: 'KEYWAY_REQUEST_TIMEOUT_MS',
        default: 300_000,
        min: 0,
        max: 86_400_000,
        unit: ms,
      }),
      send_timeout_ms: int({
        env: 'KEYWAY_SEND_TIMEOUT_MS',
        default: 60_000,
        min: 0,
        max: 3_600_000,
        unit: ms,
      }),
      /** 0: derived from the process's file-descriptor limit. */
      max_connections: int({
        env: 'KEYWAY_MAX_CONNECTIONS',
        default: 0,
        min: 0,
        max: 10_000_000,
      }),
      max_connections_per_ip: int({
        env: 'KEYWAY_MAX_CONNECTIONS_PER_IP',
        default: 1000,
        min: 0,
        max: 10_000_000,
      }),
    },
    {
      check(v, name) {
        const headerMs = v['header_timeout_ms'] as number;
        const requestMs = v['request_timeout_ms'] as number;
        if (requestMs > 0 && requestMs < headerMs)
          throw new KeywayError('KW_ERR_NODE_CONFIG', {
            field: name('request_timeout_ms'),
            reason:
              'must be 0 (none) or at least proxy.header_timeout_ms (the headers are part of the request)',
          });
      },
    },
  ),
  admin: group({
    listen: listen('KEYWAY_ADMIN_LISTEN', '127.0.0.1:8001'),
    /** `POST /login`: the per-user lockout and the per-address throttle (docs/admin-users.md). */
    login: group({
      max_failures: int({ env: 'KEYWAY_ADMIN_LOGIN_MAX_FAILURES', default: 5, min: 1, max: 1_000 }),
      lockout_ms: int({
        env: 'KEYWAY_ADMIN_LOGIN_LOCKOUT_MS',
        default: 15 * 60_000,
        min: 1_000,
        max: 30 * 86_400_000,
        unit: ms,
      }),
      ip_max_failures: int({ env: 'KEYWAY_ADMIN_LOGIN_IP_MAX_FAILURES', default: 20, min: 1, max: 100_000 }),
      ip_window_ms: int({
        env: 'KEYWAY_ADMIN_LOGIN_IP_WINDOW_MS',
        default: 15 * 60_000,
        min: 1_000,
        max: 86_400_000,
        unit: ms,
      }),
    }),
    /** `GET /openapi.json` without a token: the document describes the API and holds no configuration. */
    public_openapi: onOff({ env: 'KEYWAY_ADMIN_PUBLIC_OPENAPI', default: true }),
  }),
  log: group({
    level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      env: 'KEYWAY_LOG_LEVEL',
      default: 'info',
    }),
    /** `json` lines, `pretty` readable lines, or `auto`: pretty when stdout is a terminal (logger.ts). */
    format: oneOf(['auto', 'json', 'pretty'], { env: 'KEYWAY_LOG_FORMAT', default: 'auto' }),
  }),
  /** How often a node checks the store for a newer config version (the cluster fallback path). */
  poll_interval_ms: int({ env: 'KEYWAY_POLL_INTERVAL_MS', default: 1000, min: 50, max: 600_000, unit: ms }),
  /** `redis://…`: shared counters and change events between nodes (src/cluster/, docs/cluster.md). */
  redis_url: text({
    env: 'KEYWAY_REDIS_URL',
    default: undefined,
    pattern: /^rediss?:\/\//,
    reason: 'must start with redis:// or rediss://',
  }),
  /** Prefix of every Redis key and channel Keyway uses, so several clusters can share one Redis. */
  redis_prefix: text({
    env: 'KEYWAY_REDIS_PREFIX',
    default: 'keyway:',
    pattern: REDIS_PREFIX,
    reason: 'must be 1-64 characters of letters, digits and :_.{}-',
  }),
  /** Entries of the API-key cache (docs/keys.md): about 40 MB of records at most by default. */
  key_cache_size: int({ env: 'KEYWAY_KEY_CACHE_SIZE', default: 100_000, min: 1, max: 100_000_000 }),
  /**
   * The API-key hashing secret (docs/keys.md), at least 32 characters. From the environment only: a
   * secret does not belong in a config file that is copied around and checked in.
   */
  secret: text({ env: 'KEYWAY_SECRET', key: null, default: undefined }),
  /**
   * Which worker of `keyway start --workers N` this process is (set by the primary, src/cluster/primary.ts):
   * slot 0 runs the node-wide jobs, and each slot starts with its own record spool.
   */
  worker_slot: int({ env: 'KEYWAY_WORKER_SLOT', key: null, default: 0, min: 0, max: 1_000, internal: true }),
  /** Set by npm for `npm start` / `npx keyway`: the banner then suggests `npx keyway` (banner.ts). */
  npm_command: text({ env: 'npm_command', key: null, default: undefined, internal: true }),
  /** A MaxMind-format Country or City database (`.mmdb`): `request.country` in attribute rules. */
  geoip: group({
    database: text({ env: 'KEYWAY_GEOIP_DATABASE', default: undefined, map: (v) => resolve(v) }),
  }),
  observability: observeSettingsSchema,
};

export type NodeSettings = SettingsOf<typeof nodeSettingsSchema>;

const nodeFileSchema = fileSchema(nodeSettingsSchema);

/**
 * The process's environment, live: the settings above come from it, and so do the variables that the API
 * configuration names as `secret_env` (handed to the node's SecretBox).
 */
export function environment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/**
 * Reads settings from an optional file and the environment (the process's by default: this is where Keyway
 * reads it). Throws KW_ERR_NODE_CONFIG naming the key and where its value came from.
 */
export function loadSettings(
  opts: { configFile?: string; env?: Record<string, string | undefined> } = {},
): NodeSettings {
  const env = opts.env ?? environment();
  const file = opts.configFile === undefined ? undefined : readConfigFile(opts.configFile);
  return resolveSettings(nodeSettingsSchema, env, file);
}

function readConfigFile(name: string): FileSource {
  let text: string;
  try {
    text = readFileSync(name, 'utf8');
  } catch (err) {
    throw new KeywayError(
      'KW_ERR_NODE_CONFIG',
      { field: '--config', reason: `cannot read ${name}` },
      { cause: err },
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const line = yamlError.linePos?.[0].line;
    // The library's message repeats the position (`at line 3, column 1:`) that the field already names.
    const reason = (yamlError.message.split('\n')[0] ?? 'invalid YAML').replace(
      / at line \d+, column \d+:?$/,
      '',
    );
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: line === undefined ? name : `${name}:${line}`,
      reason,
    });
  }
  const values: unknown = doc.toJS() ?? {};
  const lineOf = (dotted: string): number | undefined => {
    let node: unknown = doc.contents;
    for (const part of dotted.split('.')) {
      if (!isMap(node)) return undefined;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
      if (pair === undefined) return undefined;
      node = pair.value ?? pair.key;
    }
    const range = (node as YamlNode | null)?.range;
    return range === undefined || range === null ? undefined : lines.linePos(range[0]).line;
  };
  const problems = validate(nodeFileSchema, values);
  const first = problems[0];
  if (first !== undefined) {
    const dotted = first.path.replace(/^\//, '').replaceAll('/', '.');
    const line = lineOf(dotted) ?? lineOf(dotted.split('.').slice(0, -1).join('.'));
    throw new KeywayError(
      'KW_ERR_NODE_CONFIG',
      { field: `${name}${line === undefined ? '' : `:${line}`}: ${dotted}`, reason: first.message },
      { details: problems },
    );
  }
  return { name, values: values as Record<string, unknown>, lineOf };
}
