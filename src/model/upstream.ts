import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';
import { breakerSchema, hashOnSchema, healthchecksSchema } from './resilience-schema.js';

export const UPSTREAM_DEFAULTS = { algorithm: 'round-robin', weight: 100 } as const;

/** A named pool of targets a service can point at (`url: http://<upstream-name>/…`). */
export const upstreamSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'targets'],
  properties: {
    name: nameSchema,
    algorithm: { enum: ['round-robin', 'least-connections', 'consistent-hashing'] },
    /** What `consistent-hashing` hashes (required with it). */
    hash_on: hashOnSchema,
    /** Passive and active health checks of the targets (docs/upstream-health.md). */
    healthchecks: healthchecksSchema,
    /** A circuit breaker per target. */
    circuit_breaker: breakerSchema,
    /** Re-resolve targets' host names this often (a pool per address); absent: at each new connection. */
    dns_refresh_ms: { type: 'integer', minimum: 1_000, maximum: 86_400_000 },
    targets: {
      type: 'array',
      maxItems: 1024,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['target'],
        properties: {
          /** `host:port` (IPv6 as `[::1]:8080`). */
          target: {
            type: 'string',
            minLength: 3,
            maxLength: 300,
            pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
          },
          /** Relative share of traffic; 0 keeps the target configured but unused. */
          weight: { type: 'integer', minimum: 0, maximum: 65535 },
        },
      },
    },
    tags: tagsSchema,
  },
} as const;

/** An upstream as the schema above has it. */
export type Upstream = FromSchema<typeof upstreamSchema>;

export type Target = Upstream['targets'][number];
