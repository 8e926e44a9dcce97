/**
 * Answers every matching request itself without calling the upstream: maintenance windows, retired
 * versions, placeholders. Runs in the `transform` phase so authentication and limits still apply first.
 */
import { definePlugin } from '../../pipeline/plugin.js';

export interface RequestTerminationConfig {
  status_code: number;
  message?: string;
  body?: string;
  content_type: string;
}

export const requestTermination = definePlugin<RequestTerminationConfig>({
  name: 'request-termination',
  description: 'Answers with a fixed status and body instead of forwarding.',
  priority: 0,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status_code: { type: 'integer', minimum: 100, maximum: 599, default: 503 },
      message: { type: 'string', maxLength: 1024 },
      body: { type: 'string', maxLength: 65536 },
      content_type: { type: 'string', default: 'application/json', maxLength: 256 },
    },
  },
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
