/**
 * The resilience parts of upstreams and services: health checks, circuit breakers, retries, hashing —
 * their JSON schemas, shared by `upstream.ts` and `service.ts`, and every default (docs/upstream-health.md
 * states the same).
 */
import type { FromSchema } from 'json-schema-to-ts';

const status = { type: 'integer', minimum: 100, maximum: 599 } as const;
const statuses = { type: 'array', maxItems: 100, uniqueItems: true, items: status } as const;

export const breakerSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Open when this share of the window's requests failed (0.01–1). */
    error_rate: { type: 'number', minimum: 0.01, maximum: 1 },
    /** The error rate counts only once the window holds this many requests. */
    min_requests: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    window_ms: { type: 'integer', minimum: 1_000, maximum: 3_600_000 },
    /** Open after this many failures in a row, whatever the rate; 0 turns this signal off. */
    consecutive_failures: { type: 'integer', minimum: 0, maximum: 10_000 },
    /** How long an open breaker refuses before letting probes through (half-open). */
    open_ms: { type: 'integer', minimum: 100, maximum: 3_600_000 },
    /** Requests let through half-open; all must succeed to close. */
    half_open_probes: { type: 'integer', minimum: 1, maximum: 100 },
    /** Answers counted as failures (no answer at all always is). */
    statuses,
    /** Answered instead of 503 KW_ERR_CIRCUIT_OPEN while the breaker refuses. */
    fallback: {
      type: 'object',
      additionalProperties: false,
      required: ['status'],
      properties: {
        status: { type: 'integer', minimum: 200, maximum: 599 },
        headers: {
          type: 'object',
          maxProperties: 32,
          propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", maxLength: 128 },
          additionalProperties: { type: 'string', maxLength: 4096, pattern: '^[^\\r\\n]*$' },
        },
        body: { type: 'string', maxLength: 65_536 },
      },
    },
  },
} as const;

export const BREAKER_DEFAULTS = {
  error_rate: 0.5,
  min_requests: 20,
  window_ms: 10_000,
  consecutive_failures: 5,
  open_ms: 30_000,
  half_open_probes: 3,
  statuses: [500, 502, 503, 504],
} as const;

export const healthchecksSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    passive: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Failed answers (a `statuses` status, a refused or reset connection) in a row to mark unhealthy; 0 off. */
        failures: { type: 'integer', minimum: 0, maximum: 10_000 },
        /** Timeouts in a row to mark unhealthy; 0 off. */
        timeouts: { type: 'integer', minimum: 0, maximum: 10_000 },
        statuses,
        /** Without active checks: time out of rotation before the target is tried again (probation). */
        cooldown_ms: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        /** Successes in a row on probation to be healthy again. */
        successes: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    },
    active: {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^/[^\\s]*$' },
        interval_ms: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        timeout_ms: { type: 'integer', minimum: 1, maximum: 60_000 },
        healthy_threshold: { type: 'integer', minimum: 1, maximum: 100 },
        unhealthy_threshold: { type: 'integer', minimum: 1, maximum: 100 },
        /** Expected statuses; absent: any 2xx or 3xx. */
        statuses,
      },
    },
  },
} as const;

export const PASSIVE_DEFAULTS = {
  failures: 5,
  timeouts: 3,
  statuses: [500, 502, 503, 504],
  cooldown_ms: 10_000,
  successes: 3,
} as const;

export const ACTIVE_DEFAULTS = {
  path: '/',
  interval_ms: 5_000,
  timeout_ms: 1_000,
  healthy_threshold: 2,
  unhealthy_threshold: 3,
  statuses: [] as readonly number[],
} as const;

export const hashOnSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['by'],
  properties: {
    /** `key`: the API key's id (never the key); `ip`: the client address as Keyway sees it. */
    by: { enum: ['consumer', 'key', 'ip', 'header', 'cookie'] },
    /** The header's or cookie's name (`header` and `cookie` only). */
    name: { type: 'string', minLength: 1, maxLength: 256, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
  },
} as const;

export const retrySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Answers retried (idempotent methods only; the connection failures where nothing was sent always are). */
    statuses,
    backoff_ms: { type: 'integer', minimum: 0, maximum: 60_000 },
    max_backoff_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
    /** Retries may add at most this percent to the service's requests over the window. */
    budget_percent: { type: 'integer', minimum: 0, maximum: 100 },
    budget_window_ms: { type: 'integer', minimum: 1_000, maximum: 3_600_000 },
    /** Retries allowed per window whatever the traffic. */
    budget_min: { type: 'integer', minimum: 0, maximum: 10_000 },
    /** The longest Retry-After waited for before retrying; longer ones go to the client as they are. */
    retry_after_max_ms: { type: 'integer', minimum: 0, maximum: 60_000 },
  },
} as const;

export const RETRY_DEFAULTS = {
  statuses: [] as readonly number[],
  backoff_ms: 10,
  max_backoff_ms: 1_000,
  budget_percent: 20,
  budget_window_ms: 10_000,
  budget_min: 10,
  retry_after_max_ms: 2_000,
} as const;

export type BreakerConfig = FromSchema<typeof breakerSchema>;
export type HealthchecksConfig = FromSchema<typeof healthchecksSchema>;
export type HashOn = FromSchema<typeof hashOnSchema>;
export type RetryConfig = FromSchema<typeof retrySchema>;
