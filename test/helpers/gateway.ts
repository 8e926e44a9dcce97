/** Starts the data plane alone (no store, no admin) on port 0 from an in-memory configuration. */
import type { AddressInfo } from 'node:net';
import type {
  ConfigState,
  Stored,
  ResourceKind,
  ResourceTypes,
  WorkspaceState,
} from '../../src/model/index.js';
import { createProxyHandler } from '../../src/proxy/handler.js';
import { TrustedProxies } from '../../src/proxy/headers.js';
import { ProxyServer } from '../../src/proxy/server.js';
import { AgentCache } from '../../src/snapshot/agents.js';
import { compileSnapshot, type Snapshot } from '../../src/snapshot/compile.js';

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

export interface Partial {
  services?: ResourceTypes['services'][];
  routes?: ResourceTypes['routes'][];
  upstreams?: ResourceTypes['upstreams'][];
  consumers?: ResourceTypes['consumers'][];
  apps?: ResourceTypes['apps'][];
  plugins?: ResourceTypes['plugins'][];
}

export function state(ws: Partial, version = 1, name = 'default'): ConfigState {
  const w: WorkspaceState = {
    name,
    services: (ws.services ?? []).map((r) => stored<'services'>(r)),
    routes: (ws.routes ?? []).map((r) => stored<'routes'>(r)),
    upstreams: (ws.upstreams ?? []).map((r) => stored<'upstreams'>(r)),
    consumers: (ws.consumers ?? []).map((r) => stored<'consumers'>(r)),
    apps: (ws.apps ?? []).map((r) => stored<'apps'>(r)),
    plugins: (ws.plugins ?? []).map((r) => stored<'plugins'>(r)),
  };
  return { version, workspaces: [w] };
}

export interface TestGateway {
  url: string;
  port: number;
  errors: Array<{ target: string; code: string | undefined }>;
  swap(next: ConfigState): void;
  proxy: ProxyServer;
  close(): Promise<void>;
}

export async function startGateway(
  cfg: ConfigState,
  opts: { trusted?: string[]; maxUriBytes?: number; maxHeaderBytes?: number } = {},
): Promise<TestGateway> {
  const agents = new AgentCache();
  let snap: Snapshot = compileSnapshot(cfg, { agents });
  const errors: TestGateway['errors'] = [];
  const handlerOpts = {
    snapshot: () => snap,
    trusted: new TrustedProxies(opts.trusted ?? []),
    maxUriBytes: opts.maxUriBytes ?? 8192,
    maxHeaderBytes: opts.maxHeaderBytes ?? 32768,
    hooks: {
      onUpstreamError: (_ctx: unknown, target: string, err: Error) =>
        errors.push({ target, code: (err as { code?: string }).code }),
      onPluginError: () => undefined,
    },
  };
  const proxy = new ProxyServer(
    {
      listen: { host: '127.0.0.1', port: 0 },
      maxHeaderBytes: handlerOpts.maxHeaderBytes,
      maxUriBytes: handlerOpts.maxUriBytes,
      keepAliveTimeoutMs: 5000,
    },
    { http: createProxyHandler(handlerOpts, 'http'), https: createProxyHandler(handlerOpts, 'https') },
  );
  const addrs = await proxy.start();
  const port = Number(addrs.http.split(':').pop());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    errors,
    proxy,
    swap(next) {
      snap = compileSnapshot(next, { agents });
    },
    async close() {
      await proxy.drain(0);
      await agents.close();
    },
  };
}

export type { AddressInfo };
