/**
 * Answers every matching request itself without calling the upstream: maintenance windows, retired
 * versions, placeholders. Runs in the `transform` phase so authentication and limits still apply first.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { definePlugin } from '../../pipeline/plugin.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status_code: { type: 'integer', minimum: 100, maximum: 599, default: 503 },
    message: { type: 'string', maxLength: 1024 },
    body: { type: 'string', maxLength: 65536 },
    content_type: { type: 'string', default: 'application/json', maxLength: 256 },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type RequestTerminationConfig = FromSchema<typeof configSchema>;

export const requestTermination = definePlugin<RequestTerminationConfig>({
  name: 'request-termination',
  description: 'Answers with a fixed status and body instead of forwarding.',
  priority: 0,
  configSchema,
  create(config) {
    const body = config.body ?? JSON.stringify({ message: config.message ?? 'service unavailable' });
    const headers = { 'content-type': config.content_type, 'content-length': Buffer.byteLength(body) };
    return {
      transform(ctx) {
        ctx.respond(config.status_code, headers, body);
      },
    };
  },
});
