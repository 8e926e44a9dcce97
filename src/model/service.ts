import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';
import { breakerSchema, retrySchema } from './resilience-schema.js';

export const SERVICE_DEFAULTS = {
  enabled: true,
  connect_timeout_ms: 5_000,
  read_timeout_ms: 60_000,
  timeout_ms: 0,
  retries: 1,
  tls_verify: true,
  visibility: 'workspace',
  approval: 'manual',
  subscription_required: false,
} as const;

/**
 * An API behind Keyway. `url` says where it lives: `http(s)://host[:port][/base-path]`. When `host` is the
 * name of an upstream in the same workspace, requests are balanced across that upstream's targets.
 */
export const serviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: {
    name: nameSchema,
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    description: { type: 'string', maxLength: 1024 },
    tags: tagsSchema,
    enabled: { type: 'boolean' },
    /** Time allowed to open a TCP/TLS connection to a target. */
    connect_timeout_ms: { type: 'integer', minimum: 1, maximum: 600_000 },
    /** Time allowed until response headers arrive, and between two body chunks. */
    read_timeout_ms: { type: 'integer', minimum: 1, maximum: 86_400_000 },
    /** Bound on the whole exchange, 0 for none (long downloads and streams need none). */
    timeout_ms: { type: 'integer', minimum: 0, maximum: 86_400_000 },
    /**
     * Extra attempts: on a connection that could not be opened (nothing was sent yet), and on the
     * answers `retry.statuses` lists (idempotent requests only).
     */
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    /** Which answers to retry, backoff, retry budget and Retry-After (docs/upstream-health.md). */
    retry: retrySchema,
    /** A circuit breaker for the whole service (its targets can have their own: the upstream's). */
    circuit_breaker: breakerSchema,
    /** Verify the upstream's TLS certificate (https targets). */
    tls_verify: { type: 'boolean' },
    /**
     * Catalogue: `public` services are listed in the developer portal, to anyone; `workspace` ones are
     * not listed (admins subscribe apps to them). Sign-up is open, so "the workspace's developers" would be
     * anyone: the portal lists `public` only (docs/portal.md).
     */
    visibility: { enum: ['workspace', 'public'] },
    /**
     * The API's OpenAPI 3.x document, which the portal serves for its reference page
     * (`GET /portal/api/services/{name}/openapi`). Inline, so it versions, diffs and exports with the
     * service; a prompt API has its own, generated.
     */
    openapi: {
      type: 'object',
      properties: {
        openapi: { type: 'string', pattern: '^3\\.[0-9]+\\.[0-9]+$' },
        info: {
          type: 'object',
          properties: { title: { type: 'string' }, version: { type: 'string' } },
        },
        paths: { type: 'object' },
        // A Swagger 2.0 document is refused. An empty object is no document (what a generated form sends
        // for a field left alone): the portal serves one that names its OpenAPI version only.
        swagger: { not: {}, description: 'Swagger 2.0 is not OpenAPI 3: convert the document first.' },
      },
    },
    /** How a new subscription starts: `auto` approved at once, `manual` pending until an admin decides. */
    approval: { enum: ['auto', 'manual'] },
    /** Calls need an approved subscription of the caller's app (src/snapshot/subscription-gate.ts). */
    subscription_required: { type: 'boolean' },
  },
} as const;

/** A service as the schema above has it. */
export type Service = FromSchema<typeof serviceSchema>;
