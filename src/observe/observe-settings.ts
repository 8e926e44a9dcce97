/**
 * Observability settings of one node, declared in the node's settings schema (core/settings-schema.ts):
 * `KEYWAY_*` environment variables (docs/observability.md) over the `observability:` section of the
 * node's config file. Records and metrics are on by
 * default; `KEYWAY_RECORDS=off` / `KEYWAY_METRICS=off` turn them off (the bench compares the two). Every bad
 * value is a KW_ERR_NODE_CONFIG naming the variable (or the file key it came from).
 */
import { KeywayError } from '../core/errors.js';
import {
  decimal,
  group,
  int,
  list,
  onOff,
  oneOf,
  optionalGroup,
  parsed,
  resolveSettings,
  SettingRefused,
  text,
  textMap,
  type Leaf,
  type ValueOf,
} from '../core/settings-schema.js';

export type SinkKind = 'store' | 'file' | 'http' | 'stdout';

const SINKS: readonly SinkKind[] = ['store', 'file', 'http', 'stdout'];

/**
 * Each setting's file key is its variable's name without `KEYWAY_`, in lower case (`capture_bodies` for
 * `KEYWAY_CAPTURE_BODIES`), in the file's `observability:` section.
 */
const named = (name: string): { env: string; key: string } => ({
  env: `KEYWAY_${name}`,
  key: name.toLowerCase(),
});

/** Header and body capture per route (src/observe/capture.ts); off while both route lists are empty. */
const captureSettings = group(
  {
    /** Routes whose request and response headers are recorded (`*`: every route). */
    headerRoutes: list(named('CAPTURE_ROUTES')),
    /** Routes whose request and response bodies are recorded, their first `bodyBytes` (`*`: every route). */
    bodyRoutes: list(named('CAPTURE_BODIES')),
    bodyBytes: int({ ...named('CAPTURE_BODY_BYTES'), default: 4096, min: 1, max: 65_536 }),
    /** Headers redacted on top of the built-in credential headers. */
    redactHeaders: list(named('CAPTURE_REDACT')),
    /** JSON and form field names redacted on top of the built-in credential names. */
    redactFields: list(named('CAPTURE_REDACT_FIELDS')),
  },
  { key: null },
);

/** OpenTelemetry span export; undefined (off) unless `KEYWAY_OTEL_ENDPOINT` is set. */
const otelSettings = optionalGroup(
  {
    /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. */
    endpoint: parsed({
      ...named('OTEL_ENDPOINT'),
      default: '',
      schema: { type: 'string' },
      parse: otlpEndpoint,
    }),
    serviceName: text({ ...named('OTEL_SERVICE_NAME'), default: 'keyway' }),
    /** Share of new traces sampled (0..1); a caller's `traceparent` sampled flag decides for its trace. */
    sampleRatio: decimal({ ...named('OTEL_SAMPLE_RATIO'), default: 1, min: 0, max: 1 }),
    /** Extra request headers for the collector (an auth token). */
    headers: textMap({ ...named('OTEL_HEADERS'), default: {}, parse: parseOtlpHeaders, fromMap: headerMap }),
  },
  { key: null, present: (_v, given) => given('endpoint') },
);

export const observeSettingsSchema = group(
  {
    records: onOff({ ...named('RECORDS'), default: true }),
    metrics: onOff({ ...named('METRICS'), default: true }),
    sinks: list({
      ...named('RECORD_SINKS'),
      default: ['store'],
      each: (s) => {
        if (!SINKS.includes(s as SinkKind))
          throw new SettingRefused(`unknown sink "${s}" (store, file, http, stdout)`);
      },
    }) as Leaf<SinkKind[]>,
    /** JSON-lines file for the `file` sink. */
    file: text({ ...named('RECORD_FILE'), default: undefined }),
    /** Endpoint for the `http` sink (batched POST of a JSON array). */
    httpUrl: text({ ...named('RECORD_HTTP_URL'), default: undefined }),
    /** Records held between the hot path and the writer; beyond it they are dropped and counted. */
    bufferSize: int({ ...named('RECORD_BUFFER'), default: 100_000, min: 1, max: 10_000_000 }),
    /** Most records per write. */
    batchSize: int({ ...named('RECORD_BATCH'), default: 2_000, min: 1, max: 100_000 }),
    flushIntervalMs: int({ ...named('RECORD_FLUSH_MS'), default: 1_000, min: 10, max: 60_000 }),
    /**
     * Bound of the local spool that holds records while the store is away (bytes); 0 turns it off.
     * 256 MiB: about 3 million records at ~80 bytes each, an outage of minutes at thousands of calls a second.
     */
    spoolBytes: int({
      ...named('RECORD_SPOOL_BYTES'),
      default: 268_435_456,
      min: 0,
      max: 1_099_511_627_776,
    }),
    /** How often spooled records are offered to the store again. */
    spoolRetryMs: int({ ...named('RECORD_SPOOL_RETRY_MS'), default: 1_000, min: 10, max: 600_000 }),
    /** Days of call records kept (one partition per UTC day). */
    retentionDays: int({ ...named('RECORD_RETENTION_DAYS'), default: 7, min: 1, max: 3650 }),
    /**
     * A `consumer` label on the per-consumer metrics (requests, 429s, AI tokens and spend): off by default,
     * every consumer multiplies those series.
     */
    metricsConsumerLabel: onOff({ ...named('METRICS_CONSUMER_LABEL'), default: false }),
    /** Distinct consumers that keep a label value of their own; later ones are folded into `other`. */
    metricsConsumerLabelLimit: int({
      ...named('METRICS_CONSUMER_LABEL_LIMIT'),
      default: 100,
      min: 1,
      max: 100_000,
    }),
    /** A token only for `/metrics` (the admin token works too). */
    metricsToken: text({ ...named('METRICS_TOKEN'), default: undefined }),
    /** W3C trace context: `propagate` passes `traceparent` on (or starts one); `off` leaves it alone. */
    trace: oneOf(['propagate', 'off'], { ...named('TRACE'), default: 'propagate' }),
    /** How often rule-based alerts are evaluated. */
    alertIntervalMs: int({ ...named('ALERT_INTERVAL_MS'), default: 30_000, min: 100, max: 3_600_000 }),
    capture: captureSettings,
    otel: otelSettings,
  },
  {
    check(v, name) {
      const s = v as unknown as ObserveSettings;
      s.sinks = [...new Set(s.sinks)];
      if (s.sinks.includes('file') && s.file === undefined)
        throw new KeywayError('KW_ERR_NODE_CONFIG', {
          field: name('file'),
          reason: 'the file sink needs a path',
        });
      if (s.sinks.includes('http') && (s.httpUrl === undefined || !/^https?:\/\//.test(s.httpUrl)))
        throw new KeywayError('KW_ERR_NODE_CONFIG', {
          field: name('httpUrl'),
          reason: 'the http sink needs an http(s):// URL',
        });
      // Spans carry the trace id Keyway propagates; with propagation off there would be no trace to join.
      if (s.otel !== undefined && s.trace !== 'propagate')
        throw new KeywayError('KW_ERR_NODE_CONFIG', {
          field: name('trace'),
          reason: 'must be propagate when KEYWAY_OTEL_ENDPOINT is set',
        });
    },
  },
);

export type ObserveSettings = ValueOf<typeof observeSettingsSchema>;
export type CaptureSettings = ObserveSettings['capture'];
export type OtelSettings = NonNullable<ObserveSettings['otel']>;

/** The observability settings alone, from variables (tests; the node reads them with every setting). */
export function loadObserveSettings(env: Record<string, string | undefined>): ObserveSettings {
  return resolveSettings({ observability: observeSettingsSchema }, env, undefined).observability;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * `name=value,name2=value2`, values percent-encoded: the format of OTEL_EXPORTER_OTLP_HEADERS
 * (opentelemetry-specification, protocol/exporter.md), so the same string works for both.
 */
export function otlpHeaders(text: string, field = 'KEYWAY_OTEL_HEADERS'): Record<string, string> {
  try {
    return parseOtlpHeaders(text);
  } catch (err) {
    if (err instanceof SettingRefused)
      throw new KeywayError('KW_ERR_NODE_CONFIG', { field, reason: err.message });
    throw err;
  }
}

function parseOtlpHeaders(text: string): Record<string, string> {
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
    // The value may be a token: the error names the item's position, never its text.
    if (!HEADER_NAME.test(name) || value === undefined)
      throw new SettingRefused(`item ${index + 1} is not name=percent-encoded-value`);
    out[name] = value;
  }
  return out;
}

/** The file's map form: the same names, values as they are (no percent-encoding in YAML). */
function headerMap(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [index, [k, v]] of Object.entries(map).entries()) {
    const name = k.trim().toLowerCase();
    if (!HEADER_NAME.test(name)) throw new SettingRefused(`entry ${index + 1} is not a header name`);
    out[name] = v;
  }
  return out;
}

function otlpEndpoint(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new SettingRefused('must be the http(s):// URL of an OTLP/HTTP traces endpoint');
  return text;
}
