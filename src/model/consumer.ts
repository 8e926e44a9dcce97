import { nameSchema, tagsSchema } from './common.js';

/** A person, team or partner that calls APIs. Credentials and apps hang off consumers. */
export interface Consumer {
  username: string;
  custom_id?: string;
  /** false blocks every credential of the consumer at once (401, as if the credential were unknown). */
  enabled?: boolean;
  /** Plan (src/model/plan.ts) for the consumer's calls when neither the key nor the app names one. */
  plan?: string;
  tags?: string[];
}

export const consumerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: {
    username: nameSchema,
    custom_id: { type: 'string', minLength: 1, maxLength: 256 },
    enabled: { type: 'boolean' },
    plan: nameSchema,
    tags: tagsSchema,
  },
} as const;
