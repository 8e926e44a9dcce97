import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';

export const AI_MODEL_DEFAULTS = { retries: 1, retry_backoff_ms: 100, timeout_ms: 0 } as const;

/** Aliases and `provider/model` references: what a request's `model` may be. */
export const modelRefSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~:@/-]+)?$',
} as const;

/**
 * A model alias (`smart`, `fast`, `gpt-4o`): the name clients send as `model`. Requests are balanced
 * across `targets` by weight; when every attempt on them fails (error, 429, timeout) the `fallbacks` are
 * tried in order, each an alias or `provider/model`.
 */
export const aiModelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'targets'],
  properties: {
    name: nameSchema,
    targets: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['provider', 'model'],
        properties: {
          provider: nameSchema,
          model: { type: 'string', minLength: 1, maxLength: 256 },
          weight: { type: 'integer', minimum: 0, maximum: 1000 },
        },
      },
    },
    fallbacks: { type: 'array', maxItems: 16, uniqueItems: true, items: modelRefSchema },
    /** Extra attempts on another target/key of this alias before falling back. */
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    /** First backoff between attempts, doubled each time; a provider's Retry-After wins when longer. */
    retry_backoff_ms: { type: 'integer', minimum: 0, maximum: 60_000 },
    /** Bound for the whole call across attempts (0: the providers' own timeouts only). */
    timeout_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    description: { type: 'string', maxLength: 1024 },
    tags: tagsSchema,
  },
} as const;

/** A model alias as the schema above has it. */
export type AiModel = FromSchema<typeof aiModelSchema>;

/** A deployment of a model: which provider serves it under which name, and its share of the traffic. */
export type AiModelTarget = AiModel['targets'][number];
