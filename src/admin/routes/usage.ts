/**
 * `GET /usage?key=ID | app=NAME | consumer=NAME` (also under `/workspaces/:workspace`): quota usage of the
 * current period per the plan that applies (src/control/usage.ts). `keyway usage` calls it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { CounterUnavailableError } from '../../pipeline/counter-store.js';
import { usageReport, type UsageSubject } from '../../control/usage.js';
import { DEFAULT_WORKSPACE } from '../../model/index.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

interface Query {
  key?: string;
  app?: string;
  consumer?: string;
}
interface Params {
  workspace?: string;
}

const ref = { type: 'string', minLength: 1, maxLength: 256 } as const;

export function usageRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  for (const base of ['', '/workspaces/:workspace']) {
    app.get<{ Params: Params; Querystring: Query }>(
      `${base}/usage`,
      {
        config: { permission: { area: 'usage', action: 'read' } },
        schema: {
          tags: ['limits'],
          summary: 'Quota usage of a key, app or consumer in the current period',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { key: ref, app: ref, consumer: ref },
          },
          response: errorResponses,
        },
      },
      async (req: FastifyRequest<{ Params: Params; Querystring: Query }>) => {
        const ws = req.params.workspace ?? DEFAULT_WORKSPACE;
        const { key, app: appName, consumer } = req.query;
        const given = [key, appName, consumer].filter((v) => v !== undefined);
        if (given.length !== 1) {
          throw new KeywayError(
            'KW_ERR_VALIDATION',
            { reason: 'give exactly one of key, app or consumer' },
            { details: [{ path: '/key', message: 'give exactly one of key, app or consumer' }] },
          );
        }
        if (deps.counters === undefined)
          throw new KeywayError('KW_ERR_NOT_READY', { reason: 'no limit counters on this node' });
        const state = (await deps.store.loadAll()).workspaces.find((w) => w.name === ws);
        if (state === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name: ws });
        let subject: UsageSubject;
        if (key !== undefined) {
          const record = await deps.store.getApiKey(ws, key);
          if (record === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'key', name: key });
          subject = { key: record };
        } else if (appName !== undefined) subject = { app: appName };
        else subject = { consumer: consumer ?? '' };
        try {
          const report = await usageReport(state, deps.counters, subject, (deps.now ?? Date.now)());
          if (report === undefined) {
            const kind = appName !== undefined ? 'app' : 'consumer';
            throw new KeywayError('KW_ERR_NOT_FOUND', { kind, name: appName ?? consumer ?? '' });
          }
          return report;
        } catch (err) {
          if (err instanceof CounterUnavailableError)
            throw new KeywayError('KW_ERR_LIMITS_UNAVAILABLE', {}, { cause: err });
          throw err;
        }
      },
    );
  }
}
