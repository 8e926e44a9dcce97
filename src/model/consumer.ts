import { nameSchema, tagsSchema } from './common.js';

/** A person, team or partner that calls APIs. Credentials and apps hang off consumers. */
export interface Consumer {
  username: string;
  custom_id?: string;
  tags?: string[];
}

export const consumerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: {
    username: nameSchema,
    custom_id: { type: 'string', minLength: 1, maxLength: 256 },
    tags: tagsSchema,
  },
} as const;
