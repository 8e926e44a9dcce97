import { nameSchema, tagsSchema } from './common.js';

/** A tenant or team. Every other resource lives inside exactly one workspace. */
export interface Workspace {
  name: string;
  description?: string;
  tags?: string[];
}

export const DEFAULT_WORKSPACE = 'default';

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
