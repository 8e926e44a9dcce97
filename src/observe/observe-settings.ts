/**
 * Observability settings of one node, from `KEYWAY_*` environment variables (docs/observability.md) over
 * the `observability:` section of the node's config file (observe-file.ts). Records and metrics are on by
 * default; `KEYWAY_RECORDS=off` / `KEYWAY_METRICS=off` turn them off (the bench compares the two). Every bad
 * value is a KW_ERR_NODE_CONFIG naming the variable (or the file key it came from).
 */
import { KeywayError } from '../core/errors.js';
import { settingName } from './observe-file.js';

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
  /** Bound of the local spool that holds records while the store is away (bytes); 0 turns it off. */
  spoolBytes: number;
  /** How often spooled records are offered to the store again. */
  spoolRetryMs: number;
  /** Days of call records kept (one partition per UTC day). */
  retentionDays: number;
  /** A token only for `/metrics` (the admin token works too). */
  metricsToken: string | undefined;
  /** W3C trace context: `propagate` passes `traceparent` on (or starts one); `off` leaves it alone. */
  trace: 'propagate' | 'off';
  /** How often rule-based alerts are evaluated. */
  alertIntervalMs: number;
  /** Header and body capture per route (src/observe/capture.ts); off while both route lists are empty. */
  capture: CaptureSettings;
  /** OpenTelemetry span export; undefined (off) unless `KEYWAY_OTEL_ENDPOINT` is set. */
  otel: OtelSettings | undefined;
}

export interface CaptureSettings {
  /** Routes whose request and response headers are recorded (`*`: every route). */
  headerRoutes: string[];
  /** Routes whose request and response bodies are recorded, their first `bodyBytes` (`*`: every route). */
  bodyRoutes: string[];
  bodyBytes: number;
  /** Headers redacted on top of the built-in credential headers. */
  redactHeaders: string[];
  /** JSON and form field names redacted on top of the built-in credential names. */
  redactFields: string[];
}

export interface OtelSettings {
  /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  endpoint: string;
  serviceName: string;
  /** Share of new traces sampled (0..1); a caller's `traceparent` sampled flag decides for its trace. */
  sampleRatio: number;
  /** Extra request headers for the collector (an auth token). */
  headers: Record<string, string>;
}

const SINKS: readonly SinkKind[] = ['store', 'file', 'http', 'stdout'];

/** `fromFile`: the config file's values in variable form (observeFileEnv); the environment wins. */
export function loadObserveSettings(
  environment: NodeJS.ProcessEnv = process.env,
  fromFile: Record<string, string> = {},
): ObserveSettings {
  const env: NodeJS.ProcessEnv = { ...fromFile };
  for (const [k, v] of Object.entries(environment)) if (v !== undefined && v !== '') env[k] = v;
  const field = (name: string): string => settingName(name, fromFile, environment);
  const onOff = (name: string, dflt: boolean): boolean => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    if (/^(on|true|1|yes)$/i.test(v)) return true;
    if (/^(off|false|0|no)$/i.test(v)) return false;
    throw new KeywayError('KW_ERR_NODE_CONFIG', { field: field(name), reason: 'must be on or off' });
  };
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new KeywayError('KW_ERR_NODE_CONFIG', {
        field: field(name),
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
        field: field('KEYWAY_RECORD_SINKS'),
        reason: `unknown sink "${s}" (store, file, http, stdout)`,
      });
    }
  }
  const file = env['KEYWAY_RECORD_FILE'] || undefined;
  const httpUrl = env['KEYWAY_RECORD_HTTP_URL'] || undefined;
  if (sinks.includes('file') && file === undefined) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: field('KEYWAY_RECORD_FILE'),
      reason: 'the file sink needs a path',
    });
  }
  if (sinks.includes('http') && (httpUrl === undefined || !/^https?:\/\//.test(httpUrl))) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: field('KEYWAY_RECORD_HTTP_URL'),
      reason: 'the http sink needs an http(s):// URL',
    });
  }
  const trace = env['KEYWAY_TRACE'] ?? 'propagate';
  if (trace !== 'propagate' && trace !== 'off') {
    throw new KeywayError('KW_ERR_NODE_CONFIG', { field: field('KEYWAY_TRACE'), reason: 'propagate or off' });
  }
  const list = (name: string): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const capture: CaptureSettings = {
    headerRoutes: list('KEYWAY_CAPTURE_ROUTES'),
    bodyRoutes: list('KEYWAY_CAPTURE_BODIES'),
    bodyBytes: int('KEYWAY_CAPTURE_BODY_BYTES', 4096, 1, 65_536),
    redactHeaders: list('KEYWAY_CAPTURE_REDACT'),
    redactFields: list('KEYWAY_CAPTURE_REDACT_FIELDS'),
  };
  const otel = otelSettings(env, trace, field);
  return {
    records: onOff('KEYWAY_RECORDS', true),
    metrics: onOff('KEYWAY_METRICS', true),
    sinks: [...new Set(sinks as SinkKind[])],
    file,
    httpUrl,
    bufferSize: int('KEYWAY_RECORD_BUFFER', 100_000, 1, 10_000_000),
    batchSize: int('KEYWAY_RECORD_BATCH', 2_000, 1, 100_000),
    flushIntervalMs: int('KEYWAY_RECORD_FLUSH_MS', 1_000, 10, 60_000),
    // 256 MiB: about 3 million records at ~80 bytes each, an outage of minutes at thousands of calls a second.
    spoolBytes: int('KEYWAY_RECORD_SPOOL_BYTES', 268_435_456, 0, 1_099_511_627_776),
    spoolRetryMs: int('KEYWAY_RECORD_SPOOL_RETRY_MS', 1_000, 10, 600_000),
    retentionDays: int('KEYWAY_RECORD_RETENTION_DAYS', 7, 1, 3650),
    metricsToken: env['KEYWAY_METRICS_TOKEN'] || undefined,
    trace,
    alertIntervalMs: int('KEYWAY_ALERT_INTERVAL_MS', 30_000, 100, 3_600_000),
    capture,
    otel,
  };
}

function otelSettings(
  env: NodeJS.ProcessEnv,
  trace: string,
  field: (name: string) => string,
): OtelSettings | undefined {
  const endpoint = env['KEYWAY_OTEL_ENDPOINT'] || undefined;
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: field('KEYWAY_OTEL_ENDPOINT'),
      reason: 'must be the http(s):// URL of an OTLP/HTTP traces endpoint',
    });
  }
  // Spans carry the trace id Keyway propagates; with propagation off there would be no trace to join.
  if (trace !== 'propagate') {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: field('KEYWAY_TRACE'),
      reason: 'must be propagate when KEYWAY_OTEL_ENDPOINT is set',
    });
  }
  const ratioText = env['KEYWAY_OTEL_SAMPLE_RATIO'] || '1';
  const sampleRatio = Number(ratioText);
  if (!/^\d*\.?\d+$/.test(ratioText) || !(sampleRatio >= 0 && sampleRatio <= 1)) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: field('KEYWAY_OTEL_SAMPLE_RATIO'),
      reason: 'must be a number from 0 to 1',
    });
  }
  return {
    endpoint,
    serviceName: env['KEYWAY_OTEL_SERVICE_NAME'] || 'keyway',
    sampleRatio,
    headers: otlpHeaders(env['KEYWAY_OTEL_HEADERS'] ?? '', field('KEYWAY_OTEL_HEADERS')),
  };
}

/**
 * `name=value,name2=value2`, values percent-encoded: the format of OTEL_EXPORTER_OTLP_HEADERS
 * (opentelemetry-specification, protocol/exporter.md), so the same string works for both.
 */
export function otlpHeaders(text: string, field = 'KEYWAY_OTEL_HEADERS'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [index, item] of text.split(',').entries()) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const name = eq === -1 ? '' : item.slice(0, eq).trim().toLowerCase();
    let value: string | undefined;
    try {
      value = eq === -1 ? undefined : decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      value = undefined;
    }
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || value === undefined) {
      // The value may be a token: the error names the item's position, never its text.
      throw new KeywayError('KW_ERR_NODE_CONFIG', {
        field,
        reason: `item ${index + 1} is not name=percent-encoded-value`,
      });
    }
    out[name] = value;
  }
  return out;
}
