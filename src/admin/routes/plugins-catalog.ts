/** Which plugins this build knows, with the JSON schema their `config` must follow. */
import type { FastifyInstance } from 'fastify';
import { listPlugins } from '../../plugins/registry.js';
import type { RouteContext } from '../route-context.js';
import { emptyQuery, errorResponses } from '../schemas.js';

const catalog = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'description', 'config_schema'],
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          priority: { type: 'integer' },
          config_schema: { type: 'object', description: "JSON schema of the plugin resource's `config`." },
        },
      },
    },
  },
} as const;

export function pluginCatalogRoutes(app: FastifyInstance, _ctx: RouteContext): void {
  app.get(
    '/plugins/available',
    {
      config: { permission: { area: 'catalog', action: 'read' } },
      schema: {
        tags: ['plugins'],
        summary: 'Plugins this build of Keyway provides',
        querystring: emptyQuery,
        response: { 200: catalog, ...errorResponses },
      },
    },
    async () => ({
      data: listPlugins()
        .map((p) => ({
          name: p.name,
          description: p.description,
          priority: p.priority ?? 0,
          config_schema: p.configSchema,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }),
  );
}
