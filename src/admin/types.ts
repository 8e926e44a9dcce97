/**
 * What the admin API needs from the node that hosts it. The node owns the store, the config service and
 * the listeners; the admin app only borrows them, so it can be built in tests against a temp-dir store.
 */
import type { CounterStore } from '../pipeline/counter-store.js';
import type { AdminAuthenticator } from './auth.js';
import type { Logger } from 'pino';
import type { AdminConfigService } from '../control/types.js';
import type { KeyService } from '../keys/key-service.js';
import type { Store } from '../store/types.js';
import type { Observability } from '../observe/observability.js';
import type { Snapshot } from '../snapshot/compile.js';
import type { UpstreamStates } from '../snapshot/upstream-states.js';
import type { LoginPolicy } from './login-throttle.js';

export interface NodeStatus {
  /** Keyway's own version (package.json). */
  version: string;
  /** Config version of the snapshot the data plane is serving right now. */
  config_version: number;
  started_at: string;
  proxy: { http?: string; https?: string };
  admin: string;
  store: 'sqlite' | 'postgres';
  /** The store answered a ping just now; without it the node serves its last configuration. */
  store_reachable: boolean;
  routes: number;
  services: number;
  /** Upstream targets as this node's health checks and breakers see them. */
  upstreams: UpstreamSummary;
}

export interface UpstreamSummary {
  targets: number;
  healthy: number;
  /** Targets out of rotation, and targets whose breaker is open or half-open: named. */
  unhealthy: Array<{ workspace: string; upstream: string; target: string; health: string; breaker?: string }>;
}

export interface ReadyState {
  ready: boolean;
  reason?: string;
}

export interface AdminDeps {
  config: AdminConfigService;
  store: Store;
  /** API keys; absent in admin apps built without one (the key routes then answer 503). */
  keys?: KeyService;
  status(): NodeStatus | Promise<NodeStatus>;
  /** Admin token checks (the node seeds it with its own token file); default: one over `store`. */
  authenticator?: AdminAuthenticator;
  ready(): Promise<ReadyState>;
  /** A pino logger to log through, or false for none (tests). Default: none. */
  logger?: Logger | false;
  /** Call records, analytics, alerts and metrics; absent in admin apps built without (routes answer 503). */
  observe?: Observability;
  /** Where limits count, for `GET /usage` (absent: the route answers 503). */
  counters?: CounterStore;
  /** The clock `GET /usage` reports the current period by (the node's; Date.now if absent). */
  now?: () => number;
  /** The node's upstream target states, for `GET /upstreams/{name}/health` (absent: it answers 503). */
  upstreamStates?: UpstreamStates;
  /** The snapshot the data plane serves now, for `POST /explain` (absent: the route answers 503). */
  snapshot?: () => Snapshot | undefined;
  /** The web console at /console/: where its built files are (default: the package's), or false for none. */
  console?: { dir?: string } | false;
  /** `POST /login`'s lockout and per-address throttle (node settings `admin.login.*`); default: theirs. */
  login?: LoginPolicy;
  /** Proxies whose `X-Forwarded-For` names the client (the node's `proxy.trusted_proxies`), for the throttle. */
  trustedProxies?: readonly string[];
  /** `GET /openapi.json` answers without a token (node setting `admin.public_openapi`). Default true. */
  publicOpenApi?: boolean;
  /** Largest accepted request body in bytes (declarative documents can be large). Default 8 MiB. */
  bodyLimit?: number;
}
