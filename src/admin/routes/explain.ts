/**
 * `POST /explain` (also under `/workspaces/:workspace`): would this request be allowed, and why — from the
 * snapshot this node serves, without sending traffic (src/control/explain.ts). `keyway explain` calls it.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { explainRequest, type ExplainInput } from '../../control/explain.js';
import { DEFAULT_WORKSPACE } from '../../model/index.js';
import { HTTP_METHODS } from '../../model/route.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

interface Body {
  method: string;
  path: string;
  host?: string;
  headers?: Record<string, string>;
  client_ip?: string;
  key_id?: string;
  app?: string;
  consumer?: string;
}
interface Params {
  workspace?: string;
}

const name = { type: 'string', minLength: 1, maxLength: 256 } as const;

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'path'],
  properties: {
    method: { enum: [...HTTP_METHODS] },
    path: { type: 'string', minLength: 1, maxLength: 8192, pattern: '^/' },
    host: { type: 'string', minLength: 1, maxLength: 255 },
    headers: {
      type: 'object',
      maxProperties: 64,
      additionalProperties: { type: 'string', maxLength: 8192 },
      description: 'Request headers as the client would send them (names are case-insensitive).',
    },
    client_ip: { type: 'string', minLength: 2, maxLength: 64, description: 'Default 127.0.0.1.' },
    key_id: { ...name, description: 'The caller is this API key (by id; never the key itself).' },
    app: { ...name, description: 'The caller is any credential of this app.' },
    consumer: { ...name, description: 'The caller is this consumer, without an app.' },
  },
} as const;

export function explainRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  for (const base of ['', '/workspaces/:workspace']) {
    app.post<{ Params: Params; Body: Body }>(
      `${base}/explain`,
      {
        // What explain tells is derived from the workspace's plugin configs (rules, roles, address lists).
        config: { permission: { area: 'plugins', action: 'read' } },
        schema: {
          tags: ['access'],
          summary:
            'Would this request be allowed, and why (route, identity, each access check), from the live snapshot',
          body: bodySchema,
          response: errorResponses,
        },
      },
      async (req: FastifyRequest<{ Params: Params; Body: Body }>) => {
        const ws = req.params.workspace ?? DEFAULT_WORKSPACE;
        const body = req.body;
        const given = [body.key_id, body.app, body.consumer].filter((v) => v !== undefined);
        if (given.length > 1) {
          throw new KeywayError(
            'KW_ERR_VALIDATION',
            { reason: 'give at most one of key_id, app or consumer' },
            { details: [{ path: '/key_id', message: 'give at most one of key_id, app or consumer' }] },
          );
        }
        if (body.client_ip !== undefined && isIP(body.client_ip) === 0) {
          throw new KeywayError(
            'KW_ERR_VALIDATION',
            { reason: '/client_ip: not an IPv4 or IPv6 address' },
            { details: [{ path: '/client_ip', message: 'not an IPv4 or IPv6 address' }] },
          );
        }
        const snapshot = deps.snapshot?.();
        if (snapshot === undefined)
          throw new KeywayError('KW_ERR_NOT_READY', { reason: 'no configuration served yet' });
        const input: ExplainInput = {
          method: body.method,
          path: body.path,
          ...(body.host === undefined ? {} : { host: body.host }),
          ...(body.headers === undefined ? {} : { headers: body.headers }),
          ...(body.client_ip === undefined ? {} : { client_ip: body.client_ip }),
          ...(body.app === undefined ? {} : { app: body.app }),
          ...(body.consumer === undefined ? {} : { consumer: body.consumer }),
        };
        if (body.key_id !== undefined) {
          if (deps.keys === undefined)
            throw new KeywayError('KW_ERR_NOT_READY', { reason: 'no key service on this node' });
          input.key = await deps.keys.get(ws, body.key_id);
        }
        return explainRequest(snapshot, ws, input);
      },
    );
  }
}
