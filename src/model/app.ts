import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, roleListSchema, tagsSchema } from './common.js';

const stringList = {
  type: 'array',
  maxItems: 64,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 1024 },
} as const;

/**
 * An application of a consumer: the unit credentials belong to. Every credential resolves to exactly one
 * consumer + app. API keys are issued to an app through the keys API (their secrets never live here);
 * the fields below bind the other kinds of credential to the app:
 * - `client_ids`: OAuth 2.0 / JWT `client_id` (or `azp`) values that identify this app;
 * - `certificates`: client certificates (mTLS) by SHA-256 fingerprint, subject DN or SAN.
 */
export const appSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'consumer'],
  properties: {
    name: nameSchema,
    consumer: nameSchema,
    description: { type: 'string', maxLength: 1024 },
    enabled: { type: 'boolean' },
    /** Plan for this app's calls; a key's `tier` naming a plan takes precedence, the consumer's yields. */
    plan: nameSchema,
    /** Scopes this app may use; a credential's own scopes are narrowed to these. */
    scopes: {
      type: 'array',
      maxItems: 256,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
    },
    /** Roles the app's credentials hold, besides its consumer's groups (docs/access-control.md). */
    roles: roleListSchema,
    client_ids: stringList,
    certificates: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Hex SHA-256 of the DER certificate, colons optional, case-insensitive. */
        sha256_fingerprints: {
          type: 'array',
          maxItems: 64,
          uniqueItems: true,
          items: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$' },
        },
        /** Subject distinguished names as OpenSSL prints them, e.g. `CN=acme-dashboard,O=Acme`. */
        subjects: stringList,
        /** Subject alternative names, e.g. `DNS:dash.acme.example`, `URI:spiffe://acme/dash`. */
        sans: stringList,
      },
    },
    tags: tagsSchema,
  },
} as const;

/** An app as the schema above has it. */
export type App = FromSchema<typeof appSchema>;
