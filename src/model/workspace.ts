import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';

export const DEFAULT_WORKSPACE = 'default';

/** A tenant or team. Every other resource lives inside exactly one workspace. */
export const workspaceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: nameSchema,
    description: { type: 'string', maxLength: 1024 },
    tags: tagsSchema,
  },
} as const;

/** A workspace as the schema above has it. */
export type Workspace = FromSchema<typeof workspaceSchema>;
