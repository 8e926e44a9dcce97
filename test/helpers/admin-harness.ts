/**
 * Test harness (compiled with the tests, never imported by the node): a real SQLite store in a temp
 * directory, the real config service, the admin app, and an admin token made the way a node makes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createConfigService } from '../../src/control/config-service.js';
import type { AdminConfigService, ConfigService } from '../../src/control/types.js';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { KeyHasher } from '../../src/keys/key-secret.js';
import { SecretBox } from '../../src/keys/secret-box.js';
import { KeyService } from '../../src/keys/key-service.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import { buildAdminApp } from '../../src/admin/app.js';
import type { NodeStatus, ReadyState } from '../../src/admin/types.js';
import type { LoginPolicy } from '../../src/admin/login-throttle.js';
import type { CounterStore } from '../../src/pipeline/counter-store.js';

export interface AdminHarness {
  app: FastifyInstance;
  store: Store;
  keys: KeyService;
  resolver: ApiKeyResolver;
  /** The box provider keys are sealed with (a node derives it from its server secret). */
  secrets: SecretBox;
  token: string;
  dataDir: string;
  /** Authorization header for `app.inject`. */
  auth: { authorization: string };
  ready: ReadyState;
  close(): Promise<void>;
}

export interface AdminOptions {
  bodyLimit?: number;
  /** The config service the app calls, made from the harness's own (e.g. a config thread around it). */
  config?: (inline: ConfigService, dataDir: string) => AdminConfigService;
  /** The node's clock (token expiry, login lockouts); Date.now when absent. */
  now?: () => number;
  /** `POST /login`'s lockout and per-address throttle (the node settings `admin.login.*`). */
  login?: LoginPolicy;
  /** Where the login throttle counts (a Redis store shared by two harnesses); its own when absent. */
  counters?: CounterStore;
  /** Node setting `admin.public_openapi` (default on). */
  publicOpenApi?: boolean;
}

export async function startAdmin(opts: AdminOptions = {}): Promise<AdminHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyway-admin-'));
  const store = await openStore({ dataDir });
  const resolver = new ApiKeyResolver(store, new KeyHasher(Buffer.alloc(32, 7)), { pollMs: 0 });
  const keys = new KeyService(store, resolver);
  // The process's environment, as a node's box holds it (tests set `secret_env` variables in it).
  const secrets = new SecretBox(Buffer.alloc(32, 7), process.env);
  const inline = createConfigService(store, { keys, secrets });
  const config = opts.config?.(inline, dataDir) ?? inline;
  const minted = await ensureAdminToken(store, dataDir);
  if (minted.token === undefined) throw new Error('a fresh store should get a fresh token');
  const token = minted.token;
  const harness: Partial<AdminHarness> & { ready: ReadyState } = { ready: { ready: true } };
  const status = (): NodeStatus => ({
    version: '0.0.0-test',
    config_version: 0,
    started_at: new Date(0).toISOString(),
    proxy: { http: '127.0.0.1:8000' },
    admin: '127.0.0.1:8001',
    store: store.dialect,
    store_reachable: true,
    routes: 0,
    services: 0,
    upstreams: { targets: 0, healthy: 0, unhealthy: [] },
  });
  const app = await buildAdminApp({
    config,
    store,
    keys,
    status,
    ready: async () => harness.ready,
    logger: false,
    ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.login === undefined ? {} : { login: opts.login }),
    ...(opts.counters === undefined ? {} : { counters: opts.counters }),
    ...(opts.publicOpenApi === undefined ? {} : { publicOpenApi: opts.publicOpenApi }),
  });
  return Object.assign(harness, {
    app,
    store,
    keys,
    resolver,
    secrets,
    token,
    dataDir,
    auth: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      await (config as { close?: () => Promise<void> }).close?.();
      await resolver.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** The shapes tests read from admin responses (one loose type so assertions stay short and typed). */
export interface TestBody {
  error: {
    code: string;
    message: string;
    request_id?: string;
    details: Array<{ path: string; message: string }>;
  };
  data: Array<{ name: string; actor: string; [field: string]: unknown }>;
  next: string | null;
  total: number;
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  config: { set: Record<string, string> };
  changes: Array<{ action: string; kind: string; key: string }>;
  dry_run: boolean;
  version: number;
  [field: string]: unknown;
}
