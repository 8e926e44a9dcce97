/**
 * The `observability:` section of `keyway start --config keyway.yaml`: the observability settings, each
 * keyed by its environment variable's name without `KEYWAY_`, in lower case (`capture_bodies` for
 * `KEYWAY_CAPTURE_BODIES`). Lists may be YAML lists, switches booleans, `otel_headers` a map. The section is
 * turned into the variables' text form, so one parser (observe-settings.ts) checks both sources, and the
 * environment still wins over the file like every node setting (docs/configuration.md).
 */

const list = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 }],
} as const;
const onOff = { anyOf: [{ type: 'boolean' }, { enum: ['on', 'off'] }] } as const;
const integer = { type: 'integer' } as const;
const text = { type: 'string' } as const;

export const observeFileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    records: onOff,
    metrics: onOff,
    record_sinks: list,
    record_file: text,
    record_http_url: text,
    record_buffer: integer,
    record_batch: integer,
    record_flush_ms: integer,
    record_spool_bytes: integer,
    record_spool_retry_ms: integer,
    record_retention_days: integer,
    metrics_token: text,
    trace: { enum: ['propagate', 'off'] },
    alert_interval_ms: integer,
    capture_routes: list,
    capture_bodies: list,
    capture_body_bytes: integer,
    capture_redact: list,
    capture_redact_fields: list,
    otel_endpoint: text,
    otel_service_name: text,
    otel_sample_ratio: { type: 'number', minimum: 0, maximum: 1 },
    otel_headers: {
      anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
    },
  },
} as const;

/** The section as `KEYWAY_*` values (validated against observeFileSchema first). */
export function observeFileEnv(section: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(section ?? {})) {
    const name = `KEYWAY_${key.toUpperCase()}`;
    if (typeof value === 'boolean') out[name] = value ? 'on' : 'off';
    else if (Array.isArray(value)) out[name] = value.map(String).join(',');
    else if (typeof value === 'object' && value !== null)
      out[name] = Object.entries(value as Record<string, string>)
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join(',');
    else if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
  }
  return out;
}

/** How an error names a setting: by its file key when the value came from the file. */
export function settingName(name: string, fromFile: Record<string, string>, env: NodeJS.ProcessEnv): string {
  const v = env[name];
  return fromFile[name] !== undefined && (v === undefined || v === '')
    ? `observability.${name.slice('KEYWAY_'.length).toLowerCase()}`
    : name;
}
