/** Starts the data plane alone (no store, no admin) on port 0 from an in-memory configuration. */
import type { AddressInfo } from 'node:net';
import {
  emptyWorkspaceState,
  RESOURCE_KINDS,
  type ConfigState,
  type Stored,
  type ResourceKind,
  type ResourceTypes,
  type WorkspaceState,
} from '../../src/model/index.js';
import type { PluginServices } from '../../src/pipeline/plugin.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { closeNodeCaches, createNodeCaches, type NodeCaches } from '../../src/server/node-caches.js';
import { createProxyHandler } from '../../src/proxy/handler.js';
import type { CallObserver } from '../../src/observe/call-observer.js';
import {
  pluginErrorChannel,
  upstreamErrorChannel,
  type PluginErrorMessage,
  type UpstreamErrorMessage,
} from '../../src/pipeline/diagnostics.js';
import { TrustedProxies } from '../../src/proxy/headers.js';
import { ProxyServer, type ProxyLog, type ProxyServerOptions } from '../../src/proxy/server.js';
import { AgentCache } from '../../src/snapshot/agents.js';
import { compileSnapshot, type Snapshot } from '../../src/snapshot/compile.js';
import { UpstreamStates } from '../../src/snapshot/upstream-states.js';

let seq = 0;
export function stored<K extends ResourceKind>(r: ResourceTypes[K]): Stored<K> {
  seq++;
  return {
    ...r,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    created_at: '',
    updated_at: '',
  };
}

export type Partial = { [K in ResourceKind]?: ResourceTypes[K][] };

export function state(ws: Partial, version = 1, name = 'default'): ConfigState {
  const w: WorkspaceState = emptyWorkspaceState(name);
  // Ids are given out in apply order.
  const fill = <K extends ResourceKind>(kind: K): void => {
    const list: Stored<K>[] = (ws[kind] ?? []).map((r) => stored<K>(r));
    (w as unknown as Record<K, Stored<K>[]>)[kind] = list;
  };
  for (const kind of RESOURCE_KINDS) fill(kind);
  return { version, workspaces: [w] };
}

export interface TestGateway {
  url: string;
  port: number;
  /** `https://127.0.0.1:port` when started with `tls`. */
  tlsUrl: string | undefined;
  errors: Array<{ target: string; code: string | undefined }>;
  swap(next: ConfigState): void;
  proxy: ProxyServer;
  /** The node-wide caches handed to plugins (AI key cooldowns, JWKS…), this gateway's own. */
  caches: NodeCaches;
  /** Target and service states (health, breakers, in flight), kept across `swap` as a node keeps them. */
  states: UpstreamStates;
  close(): Promise<void>;
}

export async function startGateway(
  cfg: ConfigState,
  opts: {
    trusted?: string[];
    maxUriBytes?: number;
    maxHeaderBytes?: number;
    /** Node-wide services handed to plugins (the API-key resolver). */
    services?: PluginServices;
    /** Receives what the node would log for a plugin bug (tests check it holds no secret). */
    onPluginError?: (ctx: unknown, err: unknown) => void;
    /** Also start the HTTPS listener (port 0) with these PEM files. */
    tls?: { cert: string; key: string; client_cert?: 'request' | 'off' };
    /** Call records and metrics (src/observe/call-observer.ts). */
    observer?: CallObserver;
    /** What the proxy listeners log by themselves (refused requests, connection pressure). */
    log?: ProxyLog;
    /** Client timeouts and connection caps (defaults as in the node settings). */
    clients?: ProxyServerOptions['clients'];
    /** The registry of target states (a test's own, with its clock and its health checker). */
    states?: UpstreamStates;
  } = {},
): Promise<TestGateway> {
  const agents = new AgentCache();
  // Like a node: caches of its own, and in-process counters that outlive a swap.
  const caches = createNodeCaches();
  const localCounters = new LocalCounterStore();
  const services: PluginServices = { ...caches, localCounters, ...opts.services };
  const states = opts.states ?? new UpstreamStates();
  let snap: Snapshot = compileSnapshot(cfg, { agents, services, states });
  states.sweep(snap.services.values());
  // As the node does before serving a snapshot (the AI routes' tokenizer).
  await snap.prepare();
  const errors: TestGateway['errors'] = [];
  const handlerOpts = {
    snapshot: () => snap,
    trusted: new TrustedProxies(opts.trusted ?? []),
    maxUriBytes: opts.maxUriBytes ?? 8192,
    maxHeaderBytes: opts.maxHeaderBytes ?? 32768,
    observer: opts.observer,
  };
  const proxy = new ProxyServer(
    {
      listen: { host: '127.0.0.1', port: 0 },
      ...(opts.tls === undefined ? {} : { tls: { listen: { host: '127.0.0.1', port: 0 }, ...opts.tls } }),
      maxHeaderBytes: handlerOpts.maxHeaderBytes,
      maxUriBytes: handlerOpts.maxUriBytes,
      keepAliveTimeoutMs: 5000,
      observer: opts.observer,
      log: opts.log,
      clients: opts.clients,
      trusted: handlerOpts.trusted,
    },
    { http: createProxyHandler(handlerOpts, 'http'), https: createProxyHandler(handlerOpts, 'https') },
  );
  // Failures are published for the node's log (src/pipeline/diagnostics.ts); this gateway's are its own.
  const onUpstream = (message: unknown): void => {
    const { ctx, target, error } = message as UpstreamErrorMessage;
    if (proxy.serves(ctx.res)) errors.push({ target, code: (error as { code?: string }).code });
  };
  const onPlugin = (message: unknown): void => {
    const { ctx, error } = message as PluginErrorMessage;
    if (proxy.serves(ctx.res)) opts.onPluginError?.(ctx, error);
  };
  const addrs = await proxy.start();
  upstreamErrorChannel.subscribe(onUpstream);
  pluginErrorChannel.subscribe(onPlugin);
  const port = Number(addrs.http.split(':').pop());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tlsUrl: addrs.https === undefined ? undefined : `https://${addrs.https}`,
    errors,
    proxy,
    swap(next) {
      snap = compileSnapshot(next, { agents, services, states });
      states.sweep(snap.services.values());
      void snap.prepare();
    },
    caches,
    states,
    async close() {
      upstreamErrorChannel.unsubscribe(onUpstream);
      pluginErrorChannel.unsubscribe(onPlugin);
      await proxy.drain(0);
      await agents.close();
      await closeNodeCaches(caches);
      await localCounters.close();
    },
  };
}

export type { AddressInfo };
