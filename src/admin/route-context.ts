import type { FastifyRequest } from 'fastify';
import type { Actor } from '../control/types.js';
import type { AdminDeps } from './types.js';

/** What route modules get: the node's dependencies and the authenticated caller of a request. */
export interface RouteContext {
  deps: AdminDeps;
  actor: (req: FastifyRequest) => Actor;
}
