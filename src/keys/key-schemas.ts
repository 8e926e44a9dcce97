/**
 * JSON schemas of the key operations' inputs, shared by the admin API (which also publishes them in its
 * OpenAPI document) and the declarative file (`apps[].keys`).
 */

const scopes = {
  type: 'array',
  maxItems: 256,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
  description: "Scopes of this key, narrowed to the app's. Absent: the app's scopes.",
} as const;

const common = {
  scopes,
  metadata: {
    type: 'object',
    maxProperties: 32,
    description: 'Free-form values handed to later phases as identity attributes (not secret).',
  },
  tier: { type: 'string', minLength: 1, maxLength: 64, description: 'Plan or tier name, e.g. gold.' },
  expires_at: { type: 'string', format: 'date-time', description: 'The key stops working at this time.' },
  expires_in_s: {
    type: 'integer',
    minimum: 1,
    maximum: 10 * 366 * 86_400,
    description: 'Alternative to expires_at: seconds from now.',
  },
} as const;

export const createKeyBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    env: { enum: ['live', 'test'], default: 'live', description: 'The `kw_<env>_` prefix.' },
    ...common,
  },
} as const;

export const importKeyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: {
    key: {
      type: 'string',
      minLength: 8,
      maxLength: 512,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'The existing key in clear: hashed on arrival, never stored or logged.',
    },
    ...common,
  },
} as const;

/** Longest grace a rotation may give: a leaked key should not stay usable for long. */
export const MAX_GRACE_S = 30 * 86_400;

export const rotateKeyBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    grace_period_s: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_GRACE_S,
      default: 86_400,
      description: 'How long the old key keeps working (default 24 h; 0 stops it at once).',
    },
  },
} as const;

export interface KeyFields {
  scopes?: string[];
  metadata?: Record<string, unknown>;
  tier?: string;
  expires_at?: string;
  expires_in_s?: number;
}

export interface CreateKeyInput extends KeyFields {
  env?: 'live' | 'test';
}

export interface ImportKeyInput extends KeyFields {
  key: string;
}

export interface RotateKeyInput {
  grace_period_s?: number;
}
