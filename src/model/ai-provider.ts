import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';

/** The wire protocols Keyway speaks to LLM providers (src/ai/providers: one adapter each). */
export const AI_PROVIDER_TYPES = [
  'openai',
  'azure',
  'anthropic',
  'gemini',
  'mistral',
  'ollama',
  'openai_compatible',
  // A demo and test provider answering in process (src/ai/providers/mock): no key, no network.
  'mock',
] as const;
export type AiProviderType = (typeof AI_PROVIDER_TYPES)[number];

export const AI_PROVIDER_DEFAULTS = { timeout_ms: 60_000, cooldown_ms: 30_000 } as const;

const priceSchema = { type: 'number', minimum: 0, maximum: 1_000_000 } as const;

/**
 * An LLM provider account: where it lives, how to authenticate, its key pool and its price table.
 * A request names `provider/model` or an alias (`ai_models`).
 */
export const aiProviderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type'],
  properties: {
    name: nameSchema,
    type: { enum: [...AI_PROVIDER_TYPES] },
    /** Defaults per type (https://api.openai.com/v1, https://api.anthropic.com, …); required for azure and openai_compatible. */
    base_url: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^https?://' },
    /** Azure OpenAI `api-version`, Anthropic `anthropic-version`. */
    api_version: { type: 'string', minLength: 1, maxLength: 64 },
    keys: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: nameSchema,
          secret: { type: 'string', minLength: 1, maxLength: 4096 },
          secret_enc: { type: 'string', minLength: 1, maxLength: 8192, pattern: '^kwenc1\\.' },
          secret_env: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
          /** A disabled key stays stored but is never used. */
          enabled: { type: 'boolean' },
        },
      },
    },
    /** Extra headers sent on every call (organisation ids, …); not secrets. */
    headers: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
      additionalProperties: { type: 'string', maxLength: 4096 },
    },
    prices: {
      type: 'array',
      maxItems: 1024,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['model', 'input', 'output'],
        properties: {
          /** The provider's model name (`gpt-4o-mini`, `claude-sonnet-4-5`, an Azure deployment name…). */
          model: { type: 'string', minLength: 1, maxLength: 256 },
          input: priceSchema,
          output: priceSchema,
          /** Cached input tokens (prompt caching); defaults to `input`. */
          cached_input: priceSchema,
        },
      },
    },
    /** Whole-call bound for non-streamed calls, and until the first byte for streamed ones. */
    timeout_ms: { type: 'integer', minimum: 1, maximum: 3_600_000 },
    /** How long a key the provider refused (401/403/429) is left out of the pool (5xx cools nothing). */
    cooldown_ms: { type: 'integer', minimum: 0, maximum: 86_400_000 },
    description: { type: 'string', maxLength: 1024 },
    tags: tagsSchema,
  },
} as const;

/** A provider as the schema above has it. */
export type AiProvider = FromSchema<typeof aiProviderSchema>;

/**
 * One credential of a provider's key pool. On input `secret` holds the key; the control layer replaces it
 * with `secret_enc` (AES-256-GCM under the master secret, src/core/secret-box.ts) before anything is
 * stored, and the admin API never returns either. `secret_env` names an environment variable instead.
 */
export type AiProviderKey = NonNullable<AiProvider['keys']>[number];

/** Price of a model in USD per million tokens. */
export type AiModelPrice = NonNullable<AiProvider['prices']>[number];
