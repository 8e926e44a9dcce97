/**
 * The state of one import: the reader and report, the Keyway names handed out, and how Kong's
 * references (by name or id) resolve to them. The Keyway document is built up here, in the order the
 * passes run: upstreams, services and routes, consumers and their credentials, then plugins.
 */
import type { Path, Reader } from './input.js';
import { NameSpace } from './names.js';
import type { ImportReport } from './report.js';

export interface ImportOptions {
  /** The workspace the Keyway file describes (default: decK's `_workspace`, else Keyway's default). */
  workspace?: string;
  /**
   * Audiences for the `jwt-auth` issuers made from Kong `jwt_secrets`. Kong's jwt plugin does not check
   * `aud`; Keyway requires an audience per issuer (RFC 8725 §3.9), so without one the jwt plugins are
   * reported, not converted.
   */
  jwtAudiences?: string[];
}

/** A Keyway plugin entry as it goes into the file (nested or top level). */
export interface PluginOut {
  name: string;
  enabled?: boolean;
  config: Record<string, unknown>;
  tags?: string[];
  service?: string;
  route?: string;
  consumer?: string;
}

export interface RouteOut {
  name: string;
  paths?: string[];
  hosts?: string[];
  methods?: string[];
  headers?: Record<string, string[]>;
  strip_path?: boolean;
  preserve_host?: boolean;
  priority?: number;
  tags?: string[];
  plugins?: PluginOut[];
}

export interface ServiceOut {
  name: string;
  url: string;
  enabled?: boolean;
  connect_timeout_ms?: number;
  read_timeout_ms?: number;
  retries?: number;
  tls_verify?: boolean;
  tags?: string[];
  routes: RouteOut[];
  plugins?: PluginOut[];
}

export interface UpstreamOut {
  name: string;
  algorithm?: 'round-robin' | 'least-connections';
  targets: { target: string; weight?: number }[];
  tags?: string[];
}

export interface PlanOut {
  name: string;
  description: string;
  rate_limits?: Record<string, unknown>[];
  quotas?: Record<string, unknown>[];
}

export interface KeyOut {
  key: string;
}

export interface AppOut {
  name: string;
  description?: string;
  client_ids?: string[];
  keys?: KeyOut[];
}

export interface ConsumerOut {
  username: string;
  custom_id?: string;
  groups?: string[];
  tags?: string[];
  apps?: AppOut[];
  plugins?: PluginOut[];
}

/** A Kong `jwt_secrets` entry, kept for the jwt plugins (any consumer's credential works on any route). */
export interface JwtCredential {
  path: Path;
  /** Kong's `key`: the `iss` value (by default) that picks the credential. */
  key: string;
  algorithm: string;
  secret?: string;
  rsaPublicKey?: string;
  /** The Keyway app the credential's tokens identify (its `client_ids` holds `key`). */
  app: string;
}

/** A Kong plugin with its scope resolved to Keyway names. */
export interface KongPlugin {
  path: Path;
  name: string;
  config: Record<string, unknown>;
  enabled: boolean;
  tags: string[];
  service?: string;
  route?: string;
  consumer?: string;
}

export type PluginScope = Pick<KongPlugin, 'service' | 'route' | 'consumer'>;

export class ImportContext {
  /** Plugin lists seen while reading, read once every entity they may name is known. */
  readonly pluginLists: { path: Path; list: unknown; scope: PluginScope }[] = [];
  readonly services: ServiceOut[] = [];
  readonly upstreams: UpstreamOut[] = [];
  readonly consumers: ConsumerOut[] = [];
  /** Plans made for rate-limiting plugins wider than one route (plugins-traffic.ts). */
  readonly plans: PlanOut[] = [];
  /** Plugins at no single owner: global, or scoped to two things. */
  readonly plugins: PluginOut[] = [];
  readonly kongPlugins: KongPlugin[] = [];
  readonly jwtCredentials: JwtCredential[] = [];

  readonly serviceNames: NameSpace;
  readonly routeNames: NameSpace;
  readonly consumerNames: NameSpace;
  readonly appNames: NameSpace;
  readonly upstreamNames: NameSpace;
  readonly planNames: NameSpace;

  /** Kong name or id → Keyway name. */
  readonly serviceRef = new Map<string, ServiceOut>();
  readonly routeRef = new Map<string, { route: RouteOut; service: ServiceOut }>();
  readonly consumerRef = new Map<string, ConsumerOut>();
  readonly upstreamRef = new Map<string, string>();
  /** Names and ids of services left out (not HTTP): their routes and plugins go with them, reported once. */
  readonly droppedServices = new Set<string>();
  /** Likewise for routes left out (no service). */
  readonly droppedRoutes = new Set<string>();

  constructor(
    readonly reader: Reader,
    readonly report: ImportReport,
    readonly options: ImportOptions,
  ) {
    this.serviceNames = new NameSpace(report);
    this.routeNames = new NameSpace(report);
    this.consumerNames = new NameSpace(report);
    this.appNames = new NameSpace(report);
    this.upstreamNames = new NameSpace(report);
    this.planNames = new NameSpace(report);
  }
}
