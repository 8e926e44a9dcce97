/**
 * Adds, replaces or removes response headers before they reach the client (security headers, cache
 * hints, hiding what a backend leaks such as `server` or `x-powered-by`).
 */
import type { FromSchema } from 'json-schema-to-ts';
import { definePlugin } from '../../pipeline/plugin.js';

const headerName = { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" } as const;

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    set: {
      type: 'object',
      propertyNames: headerName,
      additionalProperties: { type: 'string' },
      default: {},
    },
    add: {
      type: 'object',
      propertyNames: headerName,
      additionalProperties: { type: 'string' },
      default: {},
    },
    remove: { type: 'array', items: headerName, default: [] },
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type ResponseHeadersConfig = FromSchema<typeof configSchema>;

export const responseHeaders = definePlugin<ResponseHeadersConfig>({
  name: 'response-headers',
  description: 'Sets, appends or removes response headers.',
  priority: -100,
  configSchema,
  create(config) {
    const remove = config.remove.map((h) => h.toLowerCase());
    const set = Object.entries(config.set).map(([k, v]) => [k.toLowerCase(), v] as const);
    const add = Object.entries(config.add).map(([k, v]) => [k.toLowerCase(), v] as const);
    return {
      respond(ctx) {
        const headers = ctx.response?.headers;
        if (headers === undefined) return;
        for (const name of remove) delete headers[name];
        for (const [name, value] of set) headers[name] = value;
        for (const [name, value] of add) {
          const prev = headers[name];
          if (prev === undefined) headers[name] = value;
          else if (Array.isArray(prev)) headers[name] = [...prev, value];
          else headers[name] = [String(prev), value];
        }
      },
    };
  },
});
