/**
 * One Keyway node: settings → store → snapshot → proxy listeners + admin listener, and the way back down
 * on SIGTERM/SIGINT (stop accepting, drain in-flight requests, close the store, exit 0).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildAdminApp } from '../admin/app.js';
import { startPortal } from './portal-listener.js';
import { listenFailed } from './listen-errors.js';
import { ensureAdminToken } from '../admin/admin-token.js';
import { createAuthenticator, type AdminAuthenticator } from '../admin/auth.js';
import type { NodeStatus, UpstreamSummary } from '../admin/types.js';
import { createConfigService } from '../control/config-service.js';
import { sealStoredPluginSecrets } from '../control/plugin-secrets.js';
import { ConfigThread } from '../control/thread/config-thread.js';
import { KEYWAY_VERSION } from '../core/version.js';
import { createProxyHandler } from '../proxy/handler.js';
import { TrustedProxies } from '../proxy/headers.js';
import { ProxyServer } from '../proxy/server.js';
import { AgentCache } from '../snapshot/agents.js';
import { SnapshotManager } from '../snapshot/manager.js';
import { UpstreamStates } from '../snapshot/upstream-states.js';
import { HealthChecker } from '../proxy/health-checker.js';
import { upstreamTargets } from '../snapshot/upstream-targets.js';
import { openStore } from '../store/open-store.js';
import { KeywayError } from '../core/errors.js';
import { ApiKeyResolver } from '../keys/api-key-resolver.js';
import { KeyHasher, loadKeySecret } from '../keys/key-secret.js';
import { SecretBox } from '../keys/secret-box.js';
import { KeyService } from '../keys/key-service.js';
import { startClusterServices } from '../cluster/node-cluster.js';
import { createNodeCounters } from '../limits/node-counters.js';
import { logAuthEvents } from './auth-log.js';
import { logFailures } from './failure-log.js';
import { startObservability } from '../observe/observability.js';
import { Lifecycle } from './lifecycle.js';
import { closeNodeCaches, createNodeCaches } from './node-caches.js';
import { openCountryDatabase } from './geoip.js';
import { nextStep } from './banner.js';
import { createLogger } from './logger.js';
import { releaseYoungGeneration, tuneRuntime } from './runtime-tuning.js';
import { environment, loadSettings, type NodeSettings } from './settings.js';

/**
 * The store ping of `/ready`, `/status` and the metrics' store gauge: a probe answers within a second
 * whatever the store deadline (a load balancer's probe timeout is typically 1-5 s, and one that hangs is
 * worse than one that says 503).
 */
const PROBE_TIMEOUT_MS = 750;
/** Longest an admin write waits for this node to serve its change before answering anyway. */
const READ_YOUR_WRITES_MS = 10_000;

export interface RunningNode {
  settings: NodeSettings;
  addresses: { proxy: string; proxyTls?: string; admin: string; portal?: string };
  adminTokenFile: string;
  /** The admin token, only when this start created it (tests and first-run banner). */
  createdAdminToken?: string;
  snapshots: SnapshotManager;
  stop(): Promise<void>;
}

export interface StartOptions {
  configFile?: string;
  /** Settings to use as they are (tests); otherwise read from `configFile` and the environment. */
  settings?: NodeSettings;
  /** Install SIGTERM/SIGINT handlers that drain and exit (the CLI does; tests don't). */
  handleSignals?: boolean;
  /** Print the startup banner on stderr (the CLI does; stdout is for log lines). */
  banner?: boolean;
  logger?: Logger;
  /** The clock limits, quotas and key expiry go by (tests pin it); Date.now otherwise. */
  clock?: () => number;
}

export async function startNode(opts: StartOptions = {}): Promise<RunningNode> {
  tuneRuntime();
  const settings =
    opts.settings ?? loadSettings(opts.configFile === undefined ? {} : { configFile: opts.configFile });
  const log = opts.logger ?? createLogger(settings.log);
  const trusted = trustedProxies(settings);
  makeDataDir(settings);
  const life = new Lifecycle();
  try {
    return await startComponents(life, settings, log, trusted, opts);
  } catch (err) {
    await life.abandon();
    throw err;
  }
}

/** The components in start order; `life` closes them in reverse (src/server/lifecycle.ts). */
async function startComponents(
  life: Lifecycle,
  settings: NodeSettings,
  log: Logger,
  trusted: TrustedProxies,
  opts: StartOptions,
): Promise<RunningNode> {
  // First, before anything opens: a bad geoip.database fails the start naming it. Memory only, nothing to close.
  const geoipPath = settings.geoip.database;
  const geoip = geoipPath === undefined ? undefined : openCountryDatabase(geoipPath);
  life.add('auth log', logAuthEvents(log));
  const storeOpts =
    settings.database_url === undefined
      ? { dataDir: settings.data_dir, timeoutMs: settings.store_timeout_ms }
      : {
          dataDir: settings.data_dir,
          databaseUrl: settings.database_url,
          timeoutMs: settings.store_timeout_ms,
        };
  const store = await life.start(
    'store',
    () => openStore(storeOpts),
    (s) => s.close(),
  );
  const { resolver, secrets, serverSecret } = await life.start(
    'api keys',
    () => startKeyResolver(store, settings, log),
    // Writes the last batch of `last_used_at` before the store goes.
    (k) => k.resolver.close(),
  );
  // Plugin secrets an older release stored in clear are sealed before anything serves or exports them.
  const sealed = await sealStoredPluginSecrets(store, secrets);
  if (sealed > 0) log.info({ plugins: sealed }, 'sealed plugin secrets that were stored in clear');
  // Change events (Redis between nodes, IPC between --workers) and, for a worker, the primary's counters.
  const cluster = await life.start(
    'cluster',
    () => startClusterServices(settings, log),
    (c) => c.close(),
  );
  // Limits count at the primary (workers), in Redis (cluster) or in process (embedded): src/limits/.
  const limits = await life.start(
    'counters',
    () =>
      createNodeCounters({
        redisUrl: settings.redis_url,
        redisPrefix: settings.redis_prefix,
        shared: cluster.counters,
        log,
        ...(opts.clock === undefined ? {} : { now: opts.clock }),
      }),
    (l) => l.close(),
  );
  const keys = new KeyService(store, resolver, opts.clock);
  keys.onEvict((hashes) => cluster.keysChanged(hashes));
  const agents = await life.start(
    'upstream agents',
    () => new AgentCache(),
    (a) => a.close(),
  );
  // JWKS, discovery and introspection caches, AI key state and provider pool: the node's, not the process's.
  const caches = await life.start('caches', createNodeCaches, closeNodeCaches);
  const token = await ensureAdminToken(store, settings.data_dir);
  // The proxy listener, once it listens (the metrics' connection gauges read it at scrape time).
  const listening: { proxy?: ProxyServer } = {};
  // Call records, metrics, rollups and alerts (src/observe); records and metrics on unless turned off.
  // Started before the snapshot so its alert sinks are in the plugin services from the first compile;
  // the gauges read the snapshot only when scraped, which the admin listener (last) makes possible.
  const observe = await life.start(
    'observability',
    () =>
      startObservability({
        settings: settings.observability,
        dataDir: settings.data_dir,
        ...(settings.database_url === undefined ? {} : { databaseUrl: settings.database_url }),
        storeTimeoutMs: settings.store_timeout_ms,
        workerSlot: settings.worker_slot,
        log,
        gauges: {
          configVersion: () => snapshots.current?.version ?? 0,
          storePing: () => store.ping(PROBE_TIMEOUT_MS),
          upstreamTargets: () => upstreamTargets(snapshots.current),
          upstreamPools: () => agents.pools(),
          proxyLoad: () => {
            const server = listening.proxy;
            return server === undefined
              ? undefined
              : { connections: server.connections.size, inFlight: server.active };
          },
        },
      }),
    // Every drained call has been recorded: write them out while the store is still open.
    (o) => o.close(),
  );
  const observer = observe.observer;
  // Health, breakers and in-flight counts of upstream targets: the node's, kept across snapshots; active
  // checks run on this node's own timers (docs/upstream-health.md).
  const states = new UpstreamStates(opts.clock === undefined ? {} : { now: opts.clock });
  states.listener = (change) => observe.healthAlerts.changed(change);
  await life.start(
    'health checks',
    () => {
      const checker = new HealthChecker();
      states.onProbesChanged = (probes) => checker.sync(probes);
      return checker;
    },
    (c) => c.close(),
  );
  const snapshots: SnapshotManager = await life.start(
    'snapshot',
    async () => {
      const manager = new SnapshotManager(
        store,
        agents,
        log,
        settings.poll_interval_ms,
        {
          apiKeys: resolver,
          ...limits.services,
          ...caches,
          ...(geoip === undefined ? {} : { geoip }),
          budgetAlerts: observe.budgetAlerts,
          quotaAlerts: observe.quotaAlerts,
          ...(opts.clock === undefined ? {} : { now: opts.clock }),
        },
        secrets,
        { states },
      );
      await manager.start();
      return manager;
    },
    (m) => m.stop(),
  );
  cluster.attach({ snapshots, apiKeys: resolver });
  const startedAt = new Date().toISOString();

  const handlerOpts = {
    snapshot: () => snapshots.current,
    trusted,
    maxUriBytes: settings.proxy.max_uri_bytes,
    maxHeaderBytes: settings.proxy.max_header_bytes,
    observer,
  };
  const proxy = await life.start(
    'proxy',
    async () => {
      const server = new ProxyServer(
        {
          listen: settings.proxy.listen,
          ...(settings.proxy.tls === undefined ? {} : { tls: settings.proxy.tls }),
          maxHeaderBytes: settings.proxy.max_header_bytes,
          maxUriBytes: settings.proxy.max_uri_bytes,
          keepAliveTimeoutMs: settings.proxy.keepalive_timeout_ms,
          clients: {
            headerTimeoutMs: settings.proxy.header_timeout_ms,
            bodyTimeoutMs: settings.proxy.body_timeout_ms,
            requestTimeoutMs: settings.proxy.request_timeout_ms,
            sendTimeoutMs: settings.proxy.send_timeout_ms,
            maxConnections: settings.proxy.max_connections,
            maxConnectionsPerIp: settings.proxy.max_connections_per_ip,
          },
          trusted,
          observer,
          log,
        },
        { http: createProxyHandler(handlerOpts, 'http'), https: createProxyHandler(handlerOpts, 'https') },
      );
      // Plugin and upstream failures, published by the data plane (src/pipeline/diagnostics.ts): heard
      // from before the first request, and until the last drained one.
      const stopFailureLog = logFailures(log, {
        observer: () => observer,
        serves: (res) => server.serves(res),
      });
      const addrs = await server.start().catch(async (err: unknown) => {
        stopFailureLog();
        await server.drain(0).catch(() => undefined);
        const tls = settings.proxy.tls?.listen;
        const onTls = tls !== undefined && (err as { port?: number }).port === tls.port;
        throw listenFailed(onTls ? 'proxy.tls.listen' : 'proxy.listen', err);
      });
      return { server, addrs, stopFailureLog };
    },
    async (p, how) => {
      await p.server.drain(how.drainMs);
      p.stopFailureLog();
    },
  );
  const configChanged = (version: number): Promise<void> => {
    cluster.configChanged(version);
    // The admin call answers once this node serves its change (bounded: a reload that is slow or
    // fails does not hold the answer; the poll and the change events still bring it).
    return snapshots.served(version, READ_YOUR_WRITES_MS);
  };
  // Writes on a large configuration, and large bodies, run on the config thread (src/control/thread/).
  const config = await life.start(
    'config thread',
    () =>
      new ConfigThread({
        inline: createConfigService(store, {
          onChange: configChanged,
          keys,
          // Provider keys are sealed with the same box the snapshot opens them with (docs/ai-secrets.md).
          secrets,
          historyKeep: settings.config_history_keep,
        }),
        settings: {
          store: storeOpts,
          secret: new Uint8Array(serverSecret),
          env: { ...environment() },
          historyKeep: settings.config_history_keep,
        },
        size: () => {
          const snap = snapshots.current;
          return snap === undefined ? 0 : snap.routes.length + snap.services.size;
        },
        onChange: configChanged,
        onForget: (hashes) => {
          for (const hash of hashes) keys.forget(hash);
        },
      }),
    (c) => c.close(),
  );

  listening.proxy = proxy.server;
  const addresses: RunningNode['addresses'] = { proxy: proxy.addrs.http, admin: '' };
  if (proxy.addrs.https !== undefined) addresses.proxyTls = proxy.addrs.https;
  const status = async (): Promise<NodeStatus> => {
    const reachable = await store.ping(PROBE_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    const snap = snapshots.current;
    const proxyStatus: NodeStatus['proxy'] = { http: addresses.proxy };
    if (addresses.proxyTls !== undefined) proxyStatus.https = addresses.proxyTls;
    return {
      version: KEYWAY_VERSION,
      config_version: snap?.version ?? 0,
      started_at: startedAt,
      proxy: proxyStatus,
      admin: addresses.admin,
      store: store.dialect,
      store_reachable: reachable,
      routes: snap?.routes.length ?? 0,
      services: snap?.services.size ?? 0,
      upstreams: upstreamSummary(states),
    };
  };
  // On the node's clock: admin tokens and login sessions expire by it, as the admin API dates them.
  const authenticator = createAuthenticator(store, opts.clock);
  await rememberOwnToken(authenticator, token.file);
  await life.start(
    'admin',
    async () => {
      const app = await buildAdminApp({
        counters: limits.services.counters,
        login: {
          maxFailures: settings.admin.login.max_failures,
          lockoutMs: settings.admin.login.lockout_ms,
          ipMaxFailures: settings.admin.login.ip_max_failures,
          ipWindowMs: settings.admin.login.ip_window_ms,
        },
        trustedProxies: settings.proxy.trusted_proxies,
        ...(opts.clock === undefined ? {} : { now: opts.clock }),
        config,
        store,
        keys,
        status,
        authenticator,
        logger: log,
        observe,
        upstreamStates: states,
        snapshot: () => snapshots.current,
        publicOpenApi: settings.admin.public_openapi,
        async ready() {
          if (snapshots.current === undefined) return { ready: false, reason: 'configuration not loaded' };
          try {
            await store.ping(PROBE_TIMEOUT_MS);
          } catch {
            return { ready: false, reason: 'store unreachable (serving the last configuration)' };
          }
          return { ready: true };
        },
      });
      const at = await app
        .listen({ host: settings.admin.listen.host, port: settings.admin.listen.port })
        .catch(async (err: unknown) => {
          await app.close().catch(() => undefined);
          throw listenFailed('admin.listen', err);
        });
      addresses.admin = at.replace(/^https?:\/\//, '');
      return app;
    },
    (app) => app.close(),
  );

  // The developer portal, on its own (public) listener, unless `portal.listen: off` (docs/portal.md).
  const portalListen = settings.portal.listen;
  if (portalListen !== undefined) {
    const portal = await life.start(
      'portal',
      () =>
        startPortal({
          settings,
          listen: portalListen,
          store,
          config,
          keys,
          secret: serverSecret,
          counters: limits.services.counters,
          observe,
          logger: log,
          ...(opts.clock === undefined ? {} : { now: opts.clock }),
        }),
      (p) => p.close(),
    );
    addresses.portal = portal.address;
  }

  // The one way down: SIGTERM, SIGINT and `stop()` all close the list in reverse, draining the proxy.
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (stopping === undefined) {
      log.info({ in_flight: proxy.server.active }, 'shutting down: draining in-flight requests');
      stopping = life.stop({ drainMs: settings.proxy.drain_timeout_ms }).then(() => log.info('stopped'));
    }
    return stopping;
  };
  const node: RunningNode = { settings, addresses, adminTokenFile: token.file, snapshots, stop };
  if (token.token !== undefined) node.createdAdminToken = token.token;
  if (opts.handleSignals === true) {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'signal received');
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  }
  releaseYoungGeneration();
  if (opts.banner === true) printBanner(node, store.dialect, token.created);
  return node;
}

function upstreamSummary(states: UpstreamStates): UpstreamSummary {
  const views = states.views();
  const down = views.filter((v) => v.health === 'unhealthy' || (v.breakerState ?? 'closed') !== 'closed');
  return {
    targets: views.length,
    healthy: views.length - down.length,
    unhealthy: down.map((v) => ({
      workspace: v.workspace,
      upstream: v.upstream,
      target: v.address,
      health: v.health,
      ...(v.breakerState === undefined ? {} : { breaker: v.breakerState }),
    })),
  };
}

function trustedProxies(settings: NodeSettings): TrustedProxies {
  try {
    return new TrustedProxies(settings.proxy.trusted_proxies);
  } catch (err) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'proxy.trusted_proxies',
      reason: err instanceof Error ? err.message : 'invalid',
    });
  }
}

function makeDataDir(settings: NodeSettings): void {
  try {
    mkdirSync(settings.data_dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new KeywayError(
      'KW_ERR_NODE_CONFIG',
      { field: 'data_dir', reason: `cannot create ${settings.data_dir}: ${(err as Error).message}` },
      { cause: err },
    );
  }
}

/**
 * Checks the token in the data directory's admin token file (when the operator kept it) so this node
 * remembers it: `keyway status` then answers through a store outage that starts before anyone used the
 * admin API. The token is read and hashed, never logged.
 */
async function rememberOwnToken(authenticator: AdminAuthenticator, file: string): Promise<void> {
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch {
    return;
  }
  // A store hiccup here only means the token is checked on its first use instead.
  if (token !== '') await authenticator.verify(token).catch(() => false);
}

async function startKeyResolver(
  store: Awaited<ReturnType<typeof openStore>>,
  settings: NodeSettings,
  log: Logger,
): Promise<{ resolver: ApiKeyResolver; secrets: SecretBox; serverSecret: Buffer }> {
  const secret = await loadKeySecret({ envSecret: settings.secret, dataDir: settings.data_dir, store });
  if (secret.origin === 'store') {
    log.warn(
      'KEYWAY_SECRET is not set: the API-key hashing secret is kept in the database beside the hashes; ' +
        'set KEYWAY_SECRET on every node to keep them apart (docs/keys.md)',
    );
  }
  const size = settings.key_cache_size;
  const resolver = new ApiKeyResolver(store, new KeyHasher(secret.secret), {
    cacheSize: size,
    negativeCacheSize: size,
    pollMs: settings.poll_interval_ms,
    onBackgroundError: (what, err) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, `api keys: ${what} failed`),
  });
  // Before serving: without its key filter the resolver would look up every unknown key (docs/keys.md).
  const started = performance.now();
  try {
    await resolver.start();
  } catch (err) {
    await resolver.close().catch(() => undefined);
    throw err;
  }
  const { filterKeys, filterBytes } = resolver.stats;
  log.info(
    {
      keys: filterKeys,
      mb: +(filterBytes / 2 ** 20).toFixed(1),
      ms: Math.round(performance.now() - started),
    },
    'api keys: key filter loaded',
  );
  const secrets = new SecretBox(secret.secret, environment());
  return { resolver, secrets, serverSecret: secret.secret };
}

function printBanner(node: RunningNode, dialect: string, created: boolean): void {
  const lines = [
    `Keyway ${KEYWAY_VERSION} is running`,
    `  proxy        http://${node.addresses.proxy}`,
    ...(node.addresses.proxyTls === undefined ? [] : [`  proxy (TLS)  https://${node.addresses.proxyTls}`]),
    `  admin API    http://${node.addresses.admin}`,
    `  console      http://${node.addresses.admin}/console/`,
    ...(node.addresses.portal === undefined ? [] : [`  portal       http://${node.addresses.portal}`]),
    `  store        ${dialect === 'sqlite' ? `sqlite ${join(node.settings.data_dir, 'keyway.db')}` : 'postgresql'}`,
    `  admin token  ${node.adminTokenFile}${created ? ' (created now, mode 0600)' : ''}`,
    '',
    nextStep(node.settings.npm_command),
  ];
  // stderr: stdout carries only JSON log lines, which collectors parse line by line.
  process.stderr.write(`${lines.join('\n')}\n`);
}
