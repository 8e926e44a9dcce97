/**
 * What every portal route is handed (as the admin API's route-context.ts): the node's services, the
 * accounts, and the request's session, which `developer()` turns into a 401 when there is none.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../control/types.js';
import type { Developer } from '../store/portal.js';
import type { PortalAccounts } from './accounts.js';
import type { OidcSignIn } from './oidc.js';
import type { PortalDeps } from './types.js';

export const API = '/portal/api';

export interface SessionState {
  id: string;
  developer: Developer;
  csrfHash: string;
}

export interface PortalContext {
  deps: PortalDeps;
  accounts: PortalAccounts;
  /** Sign-in through the configured OpenID Connect provider, when there is one. */
  oidc: OidcSignIn | undefined;
  now: () => number;
  /** The signed-in developer, or 401 KW_ERR_PORTAL_SIGNED_OUT. */
  developer(req: FastifyRequest): Developer;
  /** The request's session, if it has a live one. */
  session(req: FastifyRequest): SessionState | undefined;
  /** The portal's origin: `portal.public_url`, or the request's own. */
  origin(req: FastifyRequest): string;
  /** Who the audit log names for a developer's change. */
  actor(req: FastifyRequest): Actor;
  /** A workspace the portal publishes (else 404), the first one when none is named. */
  workspace(name: string | undefined): string;
}
