/**
 * Node settings: where this Keyway process listens, where it keeps data, which store it uses.
 * Sources, later wins: built-in defaults < `keyway start --config FILE` (YAML) < `KEYWAY_*` environment
 * variables. These are settings of one node; the API configuration (services, routes…) lives in the store.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KeywayError } from '../core/errors.js';
import { validate } from '../core/validator.js';
import { observeFileEnv, observeFileSchema } from '../observe/observe-file.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export type ClientCertMode = 'request' | 'off';

export interface NodeSettings {
  data_dir: string;
  database_url?: string;
  /** Longest wait for a store connection or one statement's answer (PostgreSQL), or a SQLite lock. */
  store_timeout_ms: number;
  proxy: {
    listen: ListenAddress;
    tls?: {
      listen: ListenAddress;
      cert: string;
      key: string;
      /** Ask TLS clients for a certificate (`mtls-auth` verifies it per route); `off` never asks. */
      client_cert: ClientCertMode;
    };
    /** Addresses (IPs or CIDRs) whose X-Forwarded-* / Forwarded headers are believed. */
    trusted_proxies: string[];
    max_uri_bytes: number;
    max_header_bytes: number;
    /** How long SIGTERM waits for in-flight requests before closing them. */
    drain_timeout_ms: number;
    keepalive_timeout_ms: number;
    /** Client side of the proxy listeners: timeouts and connection caps (docs/configuration.md#timeouts). */
    header_timeout_ms: number;
    body_timeout_ms: number;
    request_timeout_ms: number;
    send_timeout_ms: number;
    /** 0: derived from the process's file-descriptor limit. */
    max_connections: number;
    max_connections_per_ip: number;
  };
  admin: { listen: ListenAddress };
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** `json` lines, `pretty` readable lines, or `auto`: pretty when stdout is a terminal (logger.ts). */
    format: 'auto' | 'json' | 'pretty';
  };
  /** How often a node checks the store for a newer config version (the cluster fallback path). */
  poll_interval_ms: number;
  /** `redis://…`: shared counters and change events between nodes (src/cluster/, docs/cluster.md). */
  redis_url?: string;
  /** Prefix of every Redis key and channel Keyway uses, so several clusters can share one Redis. */
  redis_prefix: string;
  /** The file's `observability:` section as `KEYWAY_*` values, under the environment's (observe-file.ts). */
  observability?: Record<string, string>;
}

const listenSchema = {
  type: 'string',
  pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]*):[0-9]{1,5}$',
} as const;

/** Printable, no spaces (it is part of every key name), at most 64 characters. */
const REDIS_PREFIX_PATTERN = '^[A-Za-z0-9:_.{}-]{1,64}$';

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    data_dir: { type: 'string', minLength: 1 },
    database_url: { type: 'string', pattern: '^postgres(ql)?://' },
    store_timeout_ms: { type: 'integer', minimum: 100, maximum: 600_000 },
    proxy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: listenSchema,
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          properties: {
            listen: listenSchema,
            cert: { type: 'string' },
            key: { type: 'string' },
            client_cert: { enum: ['request', 'off'] },
          },
        },
        trusted_proxies: { type: 'array', items: { type: 'string' } },
        max_uri_bytes: { type: 'integer', minimum: 256, maximum: 65536 },
        max_header_bytes: { type: 'integer', minimum: 1024, maximum: 262144 },
        drain_timeout_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        keepalive_timeout_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        header_timeout_ms: { type: 'integer', minimum: 1, maximum: 3_600_000 },
        body_timeout_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        request_timeout_ms: { type: 'integer', minimum: 0, maximum: 86_400_000 },
        send_timeout_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        max_connections: { type: 'integer', minimum: 0, maximum: 10_000_000 },
        max_connections_per_ip: { type: 'integer', minimum: 0, maximum: 10_000_000 },
      },
    },
    admin: { type: 'object', additionalProperties: false, properties: { listen: listenSchema } },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
        format: { enum: ['auto', 'json', 'pretty'] },
      },
    },
    poll_interval_ms: { type: 'integer', minimum: 50, maximum: 600_000 },
    redis_url: { type: 'string', pattern: '^rediss?://' },
    redis_prefix: { type: 'string', pattern: REDIS_PREFIX_PATTERN },
    observability: observeFileSchema,
  },
} as const;

interface FileSettings {
  data_dir?: string;
  database_url?: string;
  store_timeout_ms?: number;
  proxy?: {
    listen?: string;
    tls?: { listen?: string; cert: string; key: string; client_cert?: ClientCertMode };
    trusted_proxies?: string[];
    max_uri_bytes?: number;
    max_header_bytes?: number;
    drain_timeout_ms?: number;
    keepalive_timeout_ms?: number;
    header_timeout_ms?: number;
    body_timeout_ms?: number;
    request_timeout_ms?: number;
    send_timeout_ms?: number;
    max_connections?: number;
    max_connections_per_ip?: number;
  };
  admin?: { listen?: string };
  log?: { level?: NodeSettings['log']['level']; format?: NodeSettings['log']['format'] };
  poll_interval_ms?: number;
  redis_url?: string;
  redis_prefix?: string;
  observability?: Record<string, unknown>;
}

export function parseListen(value: string, field: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):([0-9]{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', { field, reason: `"${value}" is not host:port` });
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Reads settings from an optional file and the environment. Throws KW_ERR_NODE_CONFIG naming the field. */
export function loadSettings(opts: { configFile?: string; env?: NodeJS.ProcessEnv } = {}): NodeSettings {
  const env = opts.env ?? process.env;
  let file: FileSettings = {};
  if (opts.configFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.configFile, 'utf8');
    } catch (err) {
      throw new KeywayError(
        'KW_ERR_NODE_CONFIG',
        { field: '--config', reason: `cannot read ${opts.configFile}` },
        { cause: err },
      );
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text) ?? {};
    } catch (err) {
      const reason = err instanceof Error ? (err.message.split('\n')[0] ?? 'invalid YAML') : 'invalid YAML';
      throw new KeywayError('KW_ERR_NODE_CONFIG', { field: opts.configFile, reason });
    }
    const problems = validate(fileSchema, parsed);
    const first = problems[0];
    if (first !== undefined) {
      throw new KeywayError(
        'KW_ERR_NODE_CONFIG',
        { field: `${opts.configFile}: ${first.path}`, reason: first.message },
        { details: problems },
      );
    }
    file = parsed as FileSettings;
  }

  const pick = (envName: string, fromFile: string | undefined, dflt: string): string => {
    const v = env[envName];
    return v !== undefined && v !== '' ? v : (fromFile ?? dflt);
  };
  const num = (envName: string, fromFile: number | undefined, dflt: number): number => {
    const v = env[envName];
    if (v === undefined || v === '') return fromFile ?? dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new KeywayError('KW_ERR_NODE_CONFIG', { field: envName, reason: 'must be a whole number' });
    return n;
  };

  const databaseUrl = env['KEYWAY_DATABASE_URL'] || file.database_url;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_DATABASE_URL',
      reason: 'must start with postgres://',
    });
  }
  const redisUrl = env['KEYWAY_REDIS_URL'] || file.redis_url;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_REDIS_URL',
      reason: 'must start with redis:// or rediss://',
    });
  }
  const redisPrefix = pick('KEYWAY_REDIS_PREFIX', file.redis_prefix, 'keyway:');
  if (!new RegExp(REDIS_PREFIX_PATTERN).test(redisPrefix)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_REDIS_PREFIX',
      reason: 'must be 1-64 characters of letters, digits and :_.{}-',
    });
  }
  const cert = env['KEYWAY_TLS_CERT'] || file.proxy?.tls?.cert;
  const key = env['KEYWAY_TLS_KEY'] || file.proxy?.tls?.key;
  if ((cert === undefined) !== (key === undefined)) {
    throw new KeywayError('KW_ERR_TLS_CONFIG', {
      field: cert === undefined ? 'cert' : 'key',
      reason: 'certificate and key go together',
    });
  }
  const clientCert = pick('KEYWAY_TLS_CLIENT_CERT', file.proxy?.tls?.client_cert, 'request');
  if (clientCert !== 'request' && clientCert !== 'off') {
    throw new KeywayError('KW_ERR_TLS_CONFIG', {
      field: 'KEYWAY_TLS_CLIENT_CERT',
      reason: 'must be "request" or "off"',
    });
  }
  const trustedEnv = env['KEYWAY_TRUSTED_PROXIES'];
  const level = pick('KEYWAY_LOG_LEVEL', file.log?.level, 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_LOG_LEVEL',
      reason: `unknown level "${level}"`,
    });
  }
  const format = pick('KEYWAY_LOG_FORMAT', file.log?.format, 'auto');
  if (format !== 'auto' && format !== 'json' && format !== 'pretty') {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_LOG_FORMAT',
      reason: 'must be auto, json or pretty',
    });
  }

  const storeTimeout = num('KEYWAY_STORE_TIMEOUT_MS', file.store_timeout_ms, 5_000);
  if (storeTimeout < 100 || storeTimeout > 600_000) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_STORE_TIMEOUT_MS',
      reason: 'must be from 100 to 600000 (milliseconds)',
    });
  }

  const settings: NodeSettings = {
    data_dir: resolve(pick('KEYWAY_DATA_DIR', file.data_dir, './data')),
    store_timeout_ms: storeTimeout,
    proxy: {
      listen: parseListen(pick('KEYWAY_PROXY_LISTEN', file.proxy?.listen, '0.0.0.0:8000'), 'proxy.listen'),
      trusted_proxies:
        trustedEnv !== undefined && trustedEnv !== ''
          ? trustedEnv
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : (file.proxy?.trusted_proxies ?? []),
      max_uri_bytes: num('KEYWAY_MAX_URI_BYTES', file.proxy?.max_uri_bytes, 8192),
      max_header_bytes: num('KEYWAY_MAX_HEADER_BYTES', file.proxy?.max_header_bytes, 32768),
      drain_timeout_ms: num('KEYWAY_DRAIN_TIMEOUT_MS', file.proxy?.drain_timeout_ms, 10_000),
      keepalive_timeout_ms: num('KEYWAY_KEEPALIVE_TIMEOUT_MS', file.proxy?.keepalive_timeout_ms, 65_000),
      header_timeout_ms: num('KEYWAY_HEADER_TIMEOUT_MS', file.proxy?.header_timeout_ms, 10_000),
      body_timeout_ms: num('KEYWAY_BODY_TIMEOUT_MS', file.proxy?.body_timeout_ms, 60_000),
      request_timeout_ms: num('KEYWAY_REQUEST_TIMEOUT_MS', file.proxy?.request_timeout_ms, 300_000),
      send_timeout_ms: num('KEYWAY_SEND_TIMEOUT_MS', file.proxy?.send_timeout_ms, 60_000),
      max_connections: num('KEYWAY_MAX_CONNECTIONS', file.proxy?.max_connections, 0),
      max_connections_per_ip: num('KEYWAY_MAX_CONNECTIONS_PER_IP', file.proxy?.max_connections_per_ip, 1000),
    },
    admin: {
      listen: parseListen(pick('KEYWAY_ADMIN_LISTEN', file.admin?.listen, '127.0.0.1:8001'), 'admin.listen'),
    },
    log: { level: level as NodeSettings['log']['level'], format },
    poll_interval_ms: num('KEYWAY_POLL_INTERVAL_MS', file.poll_interval_ms, 1000),
    redis_prefix: redisPrefix,
  };
  const { header_timeout_ms: headerMs, request_timeout_ms: requestMs } = settings.proxy;
  if (headerMs < 1)
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'proxy.header_timeout_ms',
      reason: 'must be at least 1',
    });
  if (requestMs > 0 && requestMs < headerMs)
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'proxy.request_timeout_ms',
      reason: 'must be 0 (none) or at least proxy.header_timeout_ms (the headers are part of the request)',
    });
  if (file.observability !== undefined) settings.observability = observeFileEnv(file.observability);
  if (databaseUrl !== undefined) settings.database_url = databaseUrl;
  if (redisUrl !== undefined) settings.redis_url = redisUrl;
  if (cert !== undefined && key !== undefined) {
    settings.proxy.tls = {
      listen: parseListen(
        pick('KEYWAY_PROXY_TLS_LISTEN', file.proxy?.tls?.listen, '0.0.0.0:8443'),
        'proxy.tls.listen',
      ),
      cert: resolve(cert),
      key: resolve(key),
      client_cert: clientCert,
    };
  }
  return settings;
}
