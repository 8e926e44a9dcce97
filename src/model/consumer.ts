import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, roleListSchema, tagsSchema } from './common.js';

/** A person, team or partner that calls APIs. Credentials and apps hang off consumers. */
export const consumerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: {
    username: nameSchema,
    custom_id: { type: 'string', minLength: 1, maxLength: 256 },
    /** false blocks every credential of the consumer at once (401, as if the credential were unknown). */
    enabled: { type: 'boolean' },
    /** Plan (src/model/plan.ts) for the consumer's calls when neither the key nor the app names one. */
    plan: nameSchema,
    /** Groups the consumer belongs to: roles its every credential holds (docs/access-control.md). */
    groups: roleListSchema,
    tags: tagsSchema,
  },
} as const;

/** A consumer as the schema above has it. */
export type Consumer = FromSchema<typeof consumerSchema>;
