/**
 * The shapes of a limit, shared by plans (src/model/plan.ts) and the rate-limit / quota / concurrency
 * plugin configs, so a limit reads the same wherever it is written:
 *
 *   rate_limits: [{ limit: 5, window: 1s, by: [key] }]
 *   quotas:      [{ limit: 1000, period: day, time_zone: Europe/Paris }]
 *   concurrency: { max: 10 }
 *
 * Nonsense is refused by the schema itself, so the admin API and `apply` both answer with the field
 * path: a zero or negative limit, a zero window (the duration pattern has no `0s`), a negative burst, an
 * unknown key source, a `header` source without a header name, a time zone the runtime does not know.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { ajv } from '../core/validator.js';
import { isTimeZone } from '../core/quota-period.js';

/** What a counter is kept per. `key` is the credential; callers without one fall back to their IP. */
export const KEY_SOURCES = ['key', 'app', 'consumer', 'plan', 'route', 'ip', 'header'] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

// Checked by Intl at validation time: a typo in a zone name must fail `apply`, not the first request.
ajv.addFormat('iana-time-zone', { type: 'string', validate: isTimeZone });

const DURATION = '^[1-9][0-9]{0,9}(ms|s|m|h|d)$';
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1s` → 1000. The schema has already refused anything else. */
export function durationMs(text: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (m === null) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000);
}

const durationSchema = {
  type: 'string',
  pattern: DURATION,
  description: 'A positive duration: 500ms, 1s, 1m, 1h or 1d (the number may be any positive integer).',
} as const;

const bySchema = {
  type: 'array',
  minItems: 1,
  maxItems: 4,
  uniqueItems: true,
  items: { enum: KEY_SOURCES },
  description: 'What the counter is kept per; several make a compound key (e.g. [consumer, route]).',
} as const;

const headerSchema = { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", maxLength: 128 } as const;
const policyName = { type: 'string', pattern: '^[A-Za-z0-9._-]+$', maxLength: 64 } as const;

/** `header` is required exactly when `by` lists it. */
const headerWhenNeeded = {
  if: { required: ['by'], properties: { by: { contains: { const: 'header' } } } },
  // The property is defined again, as the enclosing object defines it, so the conditional reads alone
  // (OpenAPI linters and ajv's strictRequired ask it of every `required`).
  then: { properties: { header: headerSchema }, required: ['header'] },
} as const;

export const rateLimitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['limit', 'window'],
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    window: durationSchema,
    /** Deprecated and ignored: `limit` may come at once (docs/limits.md, "Changes to rate limits"). */
    burst: {
      type: 'integer',
      minimum: 0,
      maximum: 1_000_000_000,
      deprecated: true,
      description:
        'Deprecated and ignored: `limit` requests may come at once, and no `window` holds more. ' +
        'Accepted so configurations written for the former GCRA limits still load.',
    },
    by: bySchema,
    /** Header name when `by` has `header` (matched case-insensitively). */
    header: headerSchema,
    /** Name in `RateLimit-Policy` (default: `<limit>-per-<window>`). */
    name: policyName,
  },
  ...headerWhenNeeded,
} as const;

export type RateLimitSpec = FromSchema<typeof rateLimitSchema>;

export const quotaSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['limit', 'period'],
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000 },
    period: { enum: ['day', 'month', 'rolling'] },
    /** IANA zone for `day` / `month` (default UTC). */
    time_zone: { type: 'string', format: 'iana-time-zone', maxLength: 64 },
    /** Length of a `rolling` period: usage renews continuously over it. */
    window: durationSchema,
    by: bySchema,
    header: headerSchema,
    name: policyName,
  },
  allOf: [
    headerWhenNeeded,
    {
      if: { properties: { period: { const: 'rolling' } } },
      then: { properties: { window: durationSchema }, required: ['window'] },
    },
  ],
} as const;

export type QuotaSpec = FromSchema<typeof quotaSchema>;
export type QuotaPeriod = QuotaSpec['period'];

export const concurrencySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['max'],
  properties: {
    max: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    by: bySchema,
    header: headerSchema,
  },
  ...headerWhenNeeded,
} as const;

export type ConcurrencySpec = FromSchema<typeof concurrencySchema>;

export const failPolicySchema = {
  enum: ['fail_open', 'fail_closed'],
  default: 'fail_open',
  description:
    'When shared counters (Redis) cannot answer: `fail_open` counts on this node meanwhile, ' +
    '`fail_closed` answers 503 KW_ERR_LIMITS_UNAVAILABLE.',
} as const;

export type FailPolicy = FromSchema<typeof failPolicySchema>;
