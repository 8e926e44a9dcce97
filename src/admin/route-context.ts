import type { FastifyRequest } from 'fastify';
import type { Actor } from '../control/types.js';
import type { AdminAuthenticator, Principal } from './auth.js';
import type { AdminDeps } from './types.js';

/** What route modules get: the node's dependencies and the authenticated caller of a request. */
export interface RouteContext {
  deps: AdminDeps;
  /** The audit actor of a request: who made the change. */
  actor: (req: FastifyRequest) => Actor;
  /** The caller with their grants (the admin-user routes filter what a caller may see by them). */
  principal: (req: FastifyRequest) => Principal;
  authenticator: AdminAuthenticator;
}
