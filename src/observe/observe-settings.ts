/**
 * Observability settings of one node, from `KEYWAY_*` environment variables (docs/observability.md).
 * Records and metrics are on by default; `KEYWAY_RECORDS=off` / `KEYWAY_METRICS=off` turn them off (the
 * bench compares the two). Every bad value is a KW_ERR_NODE_CONFIG naming the variable.
 */
import { KeywayError } from '../core/errors.js';

export type SinkKind = 'store' | 'file' | 'http' | 'stdout';

export interface ObserveSettings {
  records: boolean;
  metrics: boolean;
  sinks: SinkKind[];
  /** JSON-lines file for the `file` sink. */
  file: string | undefined;
  /** Endpoint for the `http` sink (batched POST of a JSON array). */
  httpUrl: string | undefined;
  /** Records held between the hot path and the writer; beyond it they are dropped and counted. */
  bufferSize: number;
  /** Most records per write. */
  batchSize: number;
  flushIntervalMs: number;
  /** Days of call records kept (one partition per UTC day). */
  retentionDays: number;
  /** A token only for `/metrics` (the admin token works too). */
  metricsToken: string | undefined;
  /** W3C trace context: `propagate` passes `traceparent` on (or starts one); `off` leaves it alone. */
  trace: 'propagate' | 'off';
  /** How often rule-based alerts are evaluated. */
  alertIntervalMs: number;
}

const SINKS: readonly SinkKind[] = ['store', 'file', 'http', 'stdout'];

export function loadObserveSettings(env: NodeJS.ProcessEnv = process.env): ObserveSettings {
  const onOff = (name: string, dflt: boolean): boolean => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    if (/^(on|true|1|yes)$/i.test(v)) return true;
    if (/^(off|false|0|no)$/i.test(v)) return false;
    throw new KeywayError('KW_ERR_NODE_CONFIG', { field: name, reason: 'must be on or off' });
  };
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new KeywayError('KW_ERR_NODE_CONFIG', {
        field: name,
        reason: `must be a whole number in ${min}..${max}`,
      });
    }
    return n;
  };
  const sinks = (env['KEYWAY_RECORD_SINKS'] ?? 'store')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of sinks) {
    if (!SINKS.includes(s as SinkKind)) {
      throw new KeywayError('KW_ERR_NODE_CONFIG', {
        field: 'KEYWAY_RECORD_SINKS',
        reason: `unknown sink "${s}" (store, file, http, stdout)`,
      });
    }
  }
  const file = env['KEYWAY_RECORD_FILE'] || undefined;
  const httpUrl = env['KEYWAY_RECORD_HTTP_URL'] || undefined;
  if (sinks.includes('file') && file === undefined) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_RECORD_FILE',
      reason: 'the file sink needs a path',
    });
  }
  if (sinks.includes('http') && (httpUrl === undefined || !/^https?:\/\//.test(httpUrl))) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_RECORD_HTTP_URL',
      reason: 'the http sink needs an http(s):// URL',
    });
  }
  const trace = env['KEYWAY_TRACE'] ?? 'propagate';
  if (trace !== 'propagate' && trace !== 'off') {
    throw new KeywayError('KW_ERR_NODE_CONFIG', { field: 'KEYWAY_TRACE', reason: 'propagate or off' });
  }
  return {
    records: onOff('KEYWAY_RECORDS', true),
    metrics: onOff('KEYWAY_METRICS', true),
    sinks: [...new Set(sinks as SinkKind[])],
    file,
    httpUrl,
    bufferSize: int('KEYWAY_RECORD_BUFFER', 100_000, 1, 10_000_000),
    batchSize: int('KEYWAY_RECORD_BATCH', 2_000, 1, 100_000),
    flushIntervalMs: int('KEYWAY_RECORD_FLUSH_MS', 1_000, 10, 60_000),
    retentionDays: int('KEYWAY_RECORD_RETENTION_DAYS', 7, 1, 3650),
    metricsToken: env['KEYWAY_METRICS_TOKEN'] || undefined,
    trace,
    alertIntervalMs: int('KEYWAY_ALERT_INTERVAL_MS', 30_000, 100, 3_600_000),
  };
}
