/**
 * The compiled, immutable configuration the data plane serves from. Built from a `ConfigState` by
 * `compileSnapshot`; swapped atomically when the configuration changes. Nothing in here is mutated
 * after compile (counters for load balancing live in the balancer objects, not in the config).
 */
import type { Dispatcher } from 'undici';
import type { PluginHandlers } from './plugin.js';
import type { Route, Service } from '../model/index.js';
import type { Balancer } from './balancer.js';

export interface CompiledService {
  workspace: string;
  name: string;
  id: string;
  def: Readonly<Required<Omit<Service, 'description' | 'tags'>>>;
  protocol: 'http:' | 'https:';
  /** Base path from the service URL, without trailing slash ('' for none). */
  basePath: string;
  /** Host header sent upstream unless the route preserves the client's. */
  hostHeader: string;
  /** Upstream name when the URL's host names one, for logs and errors. */
  upstream: string | undefined;
  balancer: Balancer;
  /** Connection pools, shared by services with the same connect settings and kept across snapshots. */
  dispatcher: Dispatcher;
  /** An `ai://` service: its routes are answered by the ai-proxy plugin, never forwarded. */
  ai: boolean;
}

export interface CompiledRoute {
  workspace: string;
  id: string;
  name: string;
  def: Readonly<Route>;
  service: CompiledService;
  /** Plugin handlers for this route per phase, most specific config per plugin name, ordered by priority. */
  phases: RoutePhases;
  /** Consumer-scoped plugin overrides: consumer id → phases to use once that consumer is identified. */
  consumerPhases: ReadonlyMap<string, RoutePhases> | undefined;
}

export interface RoutePhases {
  identify: NonNullable<PluginHandlers['identify']>[];
  authorize: NonNullable<PluginHandlers['authorize']>[];
  limit: NonNullable<PluginHandlers['limit']>[];
  transform: NonNullable<PluginHandlers['transform']>[];
  proxy: NonNullable<PluginHandlers['proxy']>[];
  respond: NonNullable<PluginHandlers['respond']>[];
  log: NonNullable<PluginHandlers['log']>[];
  /** How errors on the route are shaped (the plugin that answers the route says; see PluginHandlers). */
  errorBody: PluginHandlers['errorBody'];
  /** True when every list is empty: the hot path skips the pipeline machinery. */
  empty: boolean;
}
