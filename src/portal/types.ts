/**
 * What the portal's app needs from the node that hosts it, and its settings as the node hands them over
 * (`portal:` in the node settings, docs/configuration.md).
 */
import type { Logger } from 'pino';
import type { CounterStore } from '../pipeline/counter-store.js';
import type { AdminConfigService } from '../control/types.js';
import type { KeyService } from '../keys/key-service.js';
import type { Observability } from '../observe/observability.js';
import type { Store } from '../store/types.js';

export interface PortalSettings {
  /** Workspaces whose `public` services are listed; the first is where new apps go by default. */
  workspaces: string[];
  /** The portal's origin (`https://portal.example.com`); the request's own when unset. */
  publicUrl?: string;
  emailVerification: 'off' | 'required';
  sessionTtlMs: number;
  linkTtlMs: number;
  login: { maxFailures: number; lockoutMs: number; ipMaxFailures: number; ipWindowMs: number };
  oidc?: { issuer: string; clientId: string; clientSecret?: string; name: string };
}

export interface PortalDeps {
  settings: PortalSettings;
  store: Store;
  config: AdminConfigService;
  keys: KeyService;
  /** The node's key-hashing secret: links are signed with a key derived from it. */
  secret: Uint8Array;
  /** Where limits count (quota used and left), and the login throttle's shared counts. */
  counters?: CounterStore;
  /** Call records and analytics (usage); absent: the usage routes answer 503. */
  observe?: Observability;
  /** Addresses whose X-Forwarded-* headers are believed (`proxy.trusted_proxies`). */
  trustedProxies?: string[];
  logger?: Logger | false;
  /** The node's clock (sessions, links, lockouts, usage periods). */
  now?: () => number;
  /** Built portal pages to serve at `/` (pages.ts); none: the API alone. */
  pagesDir?: string;
}
