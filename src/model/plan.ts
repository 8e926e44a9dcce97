import type { FromSchema } from 'json-schema-to-ts';
import { concurrencySchema, quotaSchema, rateLimitSchema } from './limit-schema.js';
import { aiLimitsSchema } from './ai-limit-schema.js';
import { nameSchema, tagsSchema } from './common.js';

/**
 * A plan (tier): a named bundle of limits and scopes, e.g. `free` (5/s, 1,000/day) or `gold` (100/s,
 * 1M/month). A key (its `tier`), an app or a consumer names a plan; the most specific wins (key > app >
 * consumer). Plans are configuration: they travel in the snapshot, so changing one applies to the next
 * request on every node. The `rate-limit`, `quota` and `concurrency` plugins enforce them (docs/limits.md);
 * the `ai-proxy` plugin enforces `ai` (allowed models, requests and tokens per minute, spend budgets:
 * docs/ai-budgets.md).
 */
export const planSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: nameSchema,
    description: { type: 'string', maxLength: 1024 },
    rate_limits: { type: 'array', maxItems: 16, items: rateLimitSchema },
    quotas: { type: 'array', maxItems: 8, items: quotaSchema },
    concurrency: concurrencySchema,
    /** What callers on this plan may spend on AI, on every AI route. */
    ai: aiLimitsSchema,
    /** Scopes a credential on this plan may use when neither it nor its app lists its own. */
    scopes: {
      type: 'array',
      maxItems: 256,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
    },
    tags: tagsSchema,
  },
} as const;

/** A plan as the schema above has it. */
export type Plan = FromSchema<typeof planSchema>;
