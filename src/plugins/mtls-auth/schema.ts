/** The JSON schema of an `mtls-auth` config (validated by ajv, defaults applied, before `create`). */
import type { FromSchema } from 'json-schema-to-ts';

/** A PEM bundle of a few CAs is a few KB; a bank's full CRL can reach megabytes. */
const pem = { type: 'string', minLength: 1, maxLength: 1_048_576 } as const;
const name = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const mtlsAuthSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ca_certificates'],
  properties: {
    ca_certificates: {
      type: 'array',
      items: { ...pem, maxLength: 262_144 },
      minItems: 1,
      maxItems: 64,
      description:
        'PEM text, each item one or more CERTIFICATE blocks: the root CAs clients chain to, and ' +
        'intermediates to help build paths. Never the system trust store.',
    },
    crls: {
      type: 'array',
      items: { ...pem, maxLength: 8_388_608 },
      maxItems: 64,
      default: [],
      description: 'CRLs as PEM (X509 CRL blocks) or base64 DER, each signed by a CA of the bundle.',
    },
    consumer_by: {
      type: 'array',
      items: { enum: ['fingerprint', 'subject', 'san'] },
      minItems: 1,
      uniqueItems: true,
      default: ['fingerprint', 'subject', 'san'],
      description: 'How a certificate finds its app, in this order (apps[].certificates).',
    },
    skip_consumer_lookup: {
      type: 'boolean',
      default: false,
      description: 'Accept any valid certificate of the CAs as `consumer` (or `anonymous`), unmapped.',
    },
    consumer: {
      ...name,
      description: 'Consumer (username or id) of every caller with skip_consumer_lookup.',
    },
    anonymous: { ...name, description: 'Consumer (username or id) for callers without a certificate.' },
    allow_partial_chain: {
      type: 'boolean',
      default: false,
      description: 'Trust a path that ends at an intermediate of the bundle, not only at a self-signed root.',
    },
    max_chain_depth: {
      type: 'integer',
      minimum: 1,
      maximum: 10,
      default: 4,
      description: 'CA certificates allowed above the client certificate, the root included.',
    },
    allow_expired_crl: {
      type: 'boolean',
      default: false,
      description: 'Keep using a CRL past its nextUpdate (fail open) instead of refusing its certificates.',
    },
    require_crl: {
      type: 'boolean',
      default: false,
      description: 'Refuse certificates whose issuer has no CRL in `crls`.',
    },
    realm: { type: 'string', pattern: '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]{1,64}$', default: 'keyway' },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type MtlsAuthConfig = FromSchema<typeof mtlsAuthSchema>;
