/**
 * One call record: who called, what, when, from where, and how it went. The field names are the column
 * names of the record tables and the keys of the JSON-lines and HTTP sinks, so a record reads the same
 * everywhere. Nothing secret goes in: the credential is its id, the path never carries the query string
 * (keys in `?apikey=` stay out), and captured headers are redacted before they get here.
 */

export interface CallRecord {
  /** Arrival time, epoch milliseconds. */
  at: number;
  request_id: string;
  workspace: string | null;
  service: string | null;
  route: string | null;
  /** Consumer username. */
  consumer: string | null;
  /** App name (or id when the app has no name in the snapshot). */
  app: string | null;
  /** Credential id (API key id, token subject binding…), never the secret. */
  credential: string | null;
  client_ip: string;
  method: string;
  /** Path as received, without the query string. */
  path: string;
  status: number;
  upstream_status: number | null;
  /** `host:port` of the target that answered (the last one tried). */
  target: string | null;
  latency_ms: number;
  /** Time spent in Keyway: total minus upstream. */
  gateway_ms: number;
  /** From the first byte sent upstream to the last byte received (or the failure). */
  upstream_ms: number | null;
  bytes_in: number | null;
  bytes_out: number | null;
  /** `none` (no auth on the route), `ok`, `anonymous`, `denied`. */
  auth: string;
  /** Which check refused the credential (src/keys/auth-events.ts), or `missing`. */
  auth_reason: string | null;
  error_code: string | null;
  retries: number;
  trace_id: string | null;
  /** Rate-limit state as the limit plugins published it (`remaining/limit`), when they did. */
  rate_limit: string | null;
  model: string | null;
  provider: string | null;
  tokens_in: number | null;
  tokens_out: number | null;
  cost: number | null;
  /** Captured request/response headers (per route, off by default), JSON text, redacted. */
  capture: string | null;
  /**
   * The access decisions of the authorize phase (docs/access-control.md): `deny <check>: <reason>` for the
   * check that refused the call, `shadow <check>: <reason>` for each shadow-mode check that would have,
   * joined by `; `. Null when no check objected. Names rules and lists, never a credential.
   */
  access: string | null;
}

export type RecordColumn = keyof CallRecord;

/** Column order of the record tables; the SQLite writer binds tuples in this order. */
export const RECORD_COLUMNS: readonly RecordColumn[] = [
  'at',
  'request_id',
  'workspace',
  'service',
  'route',
  'consumer',
  'app',
  'credential',
  'client_ip',
  'method',
  'path',
  'status',
  'upstream_status',
  'target',
  'latency_ms',
  'gateway_ms',
  'upstream_ms',
  'bytes_in',
  'bytes_out',
  'auth',
  'auth_reason',
  'error_code',
  'retries',
  'trace_id',
  'rate_limit',
  'model',
  'provider',
  'tokens_in',
  'tokens_out',
  'cost',
  'capture',
  'access',
];
