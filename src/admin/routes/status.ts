/** Node status for operators, and liveness/readiness for load balancers (no token needed for those). */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import type { RouteContext } from '../route-context.js';
import { emptyQuery, errorBody } from '../schemas.js';

const nodeStatus = {
  type: 'object',
  required: [
    'version',
    'config_version',
    'started_at',
    'proxy',
    'admin',
    'store',
    'store_reachable',
    'routes',
    'services',
    'upstreams',
  ],
  properties: {
    version: { type: 'string', description: 'Keyway version.' },
    config_version: { type: 'integer', description: 'Config version of the snapshot being served.' },
    started_at: { type: 'string' },
    proxy: { type: 'object', properties: { http: { type: 'string' }, https: { type: 'string' } } },
    admin: { type: 'string' },
    store: { enum: ['sqlite', 'postgres'] },
    store_reachable: {
      type: 'boolean',
      description:
        'The store answered a ping just now (within 1 s); without it the node serves its last config.',
    },
    routes: { type: 'integer' },
    services: { type: 'integer' },
    upstreams: {
      type: 'object',
      description:
        "Upstream targets as this node's health checks and circuit breakers see them (each node checks for itself); `GET /upstreams/{name}/health` has the detail.",
      required: ['targets', 'healthy', 'unhealthy'],
      properties: {
        targets: { type: 'integer' },
        healthy: { type: 'integer', description: 'In rotation: healthy or on probation, breaker closed.' },
        unhealthy: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              workspace: { type: 'string' },
              upstream: { type: 'string' },
              target: { type: 'string' },
              health: { type: 'string' },
              breaker: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

export function statusRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  app.get(
    '/status',
    {
      config: { permission: { area: 'status', action: 'read' } },
      schema: {
        tags: ['node'],
        summary: 'What this node serves and where it listens',
        querystring: emptyQuery,
        response: { 200: nodeStatus, 401: errorBody },
      },
    },
    async () => deps.status(),
  );

  app.get(
    '/health',
    {
      schema: {
        tags: ['node'],
        summary: 'Liveness: the process answers (no token needed)',
        security: [],
        response: { 200: { type: 'object', properties: { status: { const: 'ok' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['node'],
        summary: 'Readiness: config loaded and store reachable, answered within 1 s (no token needed)',
        security: [],
        response: { 200: { type: 'object', properties: { ready: { const: true } } }, 503: errorBody },
      },
    },
    async () => {
      const state = await deps.ready();
      if (!state.ready) throw new KeywayError('KW_ERR_NOT_READY', { reason: state.reason ?? 'starting' });
      return { ready: true };
    },
  );
}
