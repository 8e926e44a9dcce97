import type { FromSchema } from 'json-schema-to-ts';
import { modelRefSchema } from './ai-model.js';
import { nameSchema, tagsSchema } from './common.js';

export const PROMPT_API_DEFAULTS = { response: 'result' } as const;

/**
 * A prompt API ("prompt encapsulation"): a model plus a template served as a plain REST endpoint,
 * `POST <ai route>/prompts/<name>` with the variables as a JSON object. Its contract (variables and
 * output) is what callers see; the template, system prompt and model can change behind it, and each
 * change gets a new `version` (a content hash) reported in the `x-keyway-prompt-version` header.
 */
export const promptApiSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'model', 'template'],
  properties: {
    name: nameSchema,
    model: modelRefSchema,
    template: { type: 'string', minLength: 1, maxLength: 65_536 },
    system: { type: 'string', minLength: 1, maxLength: 65_536 },
    variables: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64 },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string', maxLength: 1024 },
          required: { type: 'boolean' },
          default: { type: 'string', maxLength: 65_536 },
          max_length: { type: 'integer', minimum: 1, maximum: 1_048_576 },
        },
      },
    },
    output: {
      type: 'object',
      additionalProperties: false,
      required: ['format'],
      properties: { format: { enum: ['text', 'json'] }, schema: { type: 'object' } },
    },
    /** `result`: `{"result": …}` (the text, or the parsed JSON); `openai`: the chat completion as is. */
    response: { enum: ['result', 'openai'] },
    parameters: {
      type: 'object',
      additionalProperties: false,
      properties: {
        temperature: { type: 'number', minimum: 0, maximum: 2 },
        top_p: { type: 'number', minimum: 0, maximum: 1 },
        max_tokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        stop: { type: 'array', maxItems: 4, items: { type: 'string', minLength: 1, maxLength: 256 } },
      },
    },
    description: { type: 'string', maxLength: 1024 },
    tags: tagsSchema,
  },
} as const;

/** A prompt API as the schema above has it. */
export type PromptApi = FromSchema<typeof promptApiSchema>;

/** One `{{variable}}` of a prompt template. */
export type PromptVariable = NonNullable<PromptApi['variables']>[string];
