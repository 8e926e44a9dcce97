import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';

export const ROUTE_DEFAULTS = { strip_path: true, preserve_host: false, priority: 0 } as const;

export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
] as const;

/**
 * How requests find a service.
 *
 * `paths` entries:
 * - `/weather`        prefix match (matches `/weather`, `/weather/today`, not `/weathervane`)
 * - `=/weather/today` exact match only
 * - `/users/:id`      named parameter (prefix match after it)
 * - `~^/v[0-9]+/items$` regular expression on the path; named groups become parameters
 *
 * `hosts` entries are exact (`api.example.com`) or wildcard (`*.example.com`, `api.example.*`).
 * `headers` requires each named header to have one of the listed values (case-insensitive names).
 */
export const routeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'service'],
  properties: {
    name: nameSchema,
    service: nameSchema,
    hosts: {
      type: 'array',
      maxItems: 64,
      uniqueItems: true,
      items: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        pattern: '^(\\*\\.)?[A-Za-z0-9.-]+(\\.\\*)?(:[0-9]{1,5})?$',
      },
    },
    methods: { type: 'array', maxItems: 16, uniqueItems: true, items: { enum: [...HTTP_METHODS] } },
    paths: {
      type: 'array',
      maxItems: 64,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^(=/|~|/)' },
    },
    headers: {
      type: 'object',
      maxProperties: 16,
      propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
      additionalProperties: {
        type: 'array',
        minItems: 1,
        maxItems: 16,
        items: { type: 'string', maxLength: 1024 },
      },
    },
    /** Remove the matched path prefix before forwarding (default true). */
    strip_path: { type: 'boolean' },
    /** Replace the matched path with this template: `{param}` inserts a parameter, `{rest}` the remainder. */
    path_rewrite: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^/' },
    /** Send the client's Host header upstream instead of the target's (default false). */
    preserve_host: { type: 'boolean' },
    /**
     * Forward paths holding `%2F`, `%5C` or `\` (default false: 400), for APIs whose ids carry encoded
     * slashes. `..;` segments are refused whatever this says.
     */
    allow_encoded_slashes: { type: 'boolean' },
    /** Regex routes are tried in descending priority, then by name. */
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    tags: tagsSchema,
  },
} as const;

/** A route as the schema above has it. */
export type Route = FromSchema<typeof routeSchema>;
