/**
 * `GET /metrics` in the Prometheus text format, on the admin listener. Authentication: the admin token,
 * or — so a scraper need not hold a token that can change the configuration — the read-only
 * `KEYWAY_METRICS_TOKEN`, both as `Authorization: Bearer …` (Prometheus' `authorization` /
 * `bearer_token_file`). The metrics token is checked in app.ts's request hook (`metricsTokenMatches`).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import type { RouteContext } from '../route-context.js';
import { presentedToken } from '../auth.js';

export const METRICS_PATH = '/metrics';

/** True when the request carries the configured metrics token (compared as SHA-256 digests, constant time). */
export function metricsTokenMatches(headers: IncomingHttpHeaders, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  const given = presentedToken(headers);
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function metricsRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  app.get(
    METRICS_PATH,
    {
      // Series carry every workspace's routes and consumers: node-wide (a grant on `*`, or the metrics token).
      config: { permission: { area: 'metrics', action: 'read' } },
      schema: {
        tags: ['observability'],
        summary: 'Prometheus metrics (admin token or metrics token)',
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'The Prometheus text exposition format' } },
      },
    },
    async (_req, reply) => {
      const metrics = deps.observe?.metrics;
      if (metrics === undefined)
        throw new KeywayError('KW_ERR_NOT_READY', {
          reason: 'metrics are off on this node (KEYWAY_METRICS)',
        });
      const body = await metrics.text();
      return reply.header('content-type', metrics.contentType()).send(body);
    },
  );
}
