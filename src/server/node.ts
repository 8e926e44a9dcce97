/**
 * One Keyway node: settings → store → snapshot → proxy listeners + admin listener, and the way back down
 * on SIGTERM/SIGINT (stop accepting, drain in-flight requests, close the store, exit 0).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildAdminApp } from '../admin/app.js';
import { ensureAdminToken } from '../admin/admin-token.js';
import { createAuthenticator, type AdminAuthenticator } from '../admin/auth.js';
import type { NodeStatus } from '../admin/types.js';
import { createConfigService } from '../control/config-service.js';
import { sealStoredPluginSecrets } from '../control/plugin-secrets.js';
import { ConfigThread } from '../control/thread/config-thread.js';
import { KEYWAY_VERSION } from '../core/version.js';
import { createProxyHandler } from '../proxy/handler.js';
import { TrustedProxies } from '../proxy/headers.js';
import { ProxyServer } from '../proxy/server.js';
import { AgentCache } from '../snapshot/agents.js';
import { SnapshotManager } from '../snapshot/manager.js';
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
import { startObservability, type Observability } from '../observe/observability.js';
import type { BudgetAlertSink } from '../pipeline/services.js';
import type { QuotaAlertSink } from '../pipeline/services.js';
import { loadObserveSettings } from '../observe/observe-settings.js';
import { nextStep } from './banner.js';
import { createLogger } from './logger.js';
import { releaseYoungGeneration, tuneRuntime } from './runtime-tuning.js';
import { loadSettings, type NodeSettings } from './settings.js';

const NO_LEVELS: readonly number[] = Object.freeze([]);

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
  addresses: { proxy: string; proxyTls?: string; admin: string };
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
}

export async function startNode(opts: StartOptions = {}): Promise<RunningNode> {
  tuneRuntime();
  const settings =
    opts.settings ?? loadSettings(opts.configFile === undefined ? {} : { configFile: opts.configFile });
  const log = opts.logger ?? createLogger(settings.log);
  const stopAuthLog = logAuthEvents(log);
  let trusted: TrustedProxies;
  try {
    trusted = new TrustedProxies(settings.proxy.trusted_proxies);
  } catch (err) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'proxy.trusted_proxies',
      reason: err instanceof Error ? err.message : 'invalid',
    });
  }
  try {
    mkdirSync(settings.data_dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new KeywayError(
      'KW_ERR_NODE_CONFIG',
      { field: 'data_dir', reason: `cannot create ${settings.data_dir}: ${(err as Error).message}` },
      { cause: err },
    );
  }

  const storeOpts =
    settings.database_url === undefined
      ? { dataDir: settings.data_dir, timeoutMs: settings.store_timeout_ms }
      : {
          dataDir: settings.data_dir,
          databaseUrl: settings.database_url,
          timeoutMs: settings.store_timeout_ms,
        };
  const store = await openStore(storeOpts);
  let resolver: ApiKeyResolver;
  let secrets: SecretBox;
  let serverSecret: Buffer;
  try {
    ({ resolver, secrets, serverSecret } = await startKeyResolver(store, settings, log));
    // Plugin secrets an older release stored in clear are sealed before anything serves or exports them.
    const sealed = await sealStoredPluginSecrets(store, secrets);
    if (sealed > 0) log.info({ plugins: sealed }, 'sealed plugin secrets that were stored in clear');
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  // Change events (Redis between nodes, IPC between --workers) and, for a worker, the primary's counters.
  const cluster = await startClusterServices(settings, log);
  // Limits count at the primary (workers), in Redis (cluster) or in process (embedded): src/limits/.
  const limits = await createNodeCounters({
    redisUrl: settings.redis_url,
    redisPrefix: settings.redis_prefix,
    shared: cluster.counters,
    log,
  });
  const keys = new KeyService(store, resolver);
  keys.onEvict((hashes) => cluster.keysChanged(hashes));
  const agents = new AgentCache();
  // AI budget crossings go to the alerts of observability, which starts below (before any snapshot).
  let budgetSink: BudgetAlertSink | undefined;
  const budgetAlerts: BudgetAlertSink = { budgetCrossed: (e) => budgetSink?.budgetCrossed(e) };
  // Quota crossings likewise; until observability is up no rule is known, so no level is watched.
  let quotaSink: QuotaAlertSink | undefined;
  const quotaAlerts: QuotaAlertSink = {
    get levels() {
      return quotaSink?.levels ?? NO_LEVELS;
    },
    quotaCrossed: (e) => quotaSink?.quotaCrossed(e),
  };
  const snapshots = new SnapshotManager(
    store,
    agents,
    log,
    settings.poll_interval_ms,
    {
      apiKeys: resolver,
      ...limits.services,
      budgetAlerts,
      quotaAlerts,
    },
    secrets,
  );
  const startedAt = new Date().toISOString();
  let proxy: ProxyServer | undefined;
  let admin: Awaited<ReturnType<typeof buildAdminApp>> | undefined;
  let observe: Observability | undefined;
  let config: ConfigThread | undefined;
  // Plugin and upstream failures, published by the data plane (src/pipeline/diagnostics.ts).
  const stopFailureLog = logFailures(log, {
    observer: () => observe?.observer,
    serves: (res) => proxy?.serves(res) === true,
  });
  try {
    const token = await ensureAdminToken(store, settings.data_dir);
    // Call records, metrics, rollups and alerts (src/observe); records and metrics on unless turned off.
    observe = startObservability({
      settings: loadObserveSettings(process.env, settings.observability),
      dataDir: settings.data_dir,
      ...(settings.database_url === undefined ? {} : { databaseUrl: settings.database_url }),
      storeTimeoutMs: settings.store_timeout_ms,
      log,
      gauges: {
        configVersion: () => snapshots.current?.version ?? 0,
        storePing: () => store.ping(PROBE_TIMEOUT_MS),
      },
    });
    const observer = observe.observer;
    budgetSink = observe.budgetAlerts;
    quotaSink = observe.quotaAlerts;
    await snapshots.start();
    cluster.attach({ snapshots, apiKeys: resolver });
    const configChanged = (version: number): Promise<void> => {
      cluster.configChanged(version);
      // The admin call answers once this node serves its change (bounded: a reload that is slow or
      // fails does not hold the answer; the poll and the change events still bring it).
      return snapshots.served(version, READ_YOUR_WRITES_MS);
    };
    // Writes on a large configuration, and large bodies, run on the config thread (src/control/thread/).
    config = new ConfigThread({
      inline: createConfigService(store, {
        onChange: configChanged,
        keys,
        // Provider keys are sealed with the same box the snapshot opens them with (docs/ai-secrets.md).
        secrets,
      }),
      settings: { store: storeOpts, secret: new Uint8Array(serverSecret) },
      size: () => {
        const snap = snapshots.current;
        return snap === undefined ? 0 : snap.routes.length + snap.services.size;
      },
      onChange: configChanged,
      onForget: (hashes) => {
        for (const hash of hashes) keys.forget(hash);
      },
    });

    const handlerOpts = {
      snapshot: () => snapshots.current,
      trusted,
      maxUriBytes: settings.proxy.max_uri_bytes,
      maxHeaderBytes: settings.proxy.max_header_bytes,
      observer,
    };
    proxy = new ProxyServer(
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
    const proxyAddrs = await proxy.start().catch((err: unknown) => {
      const tls = settings.proxy.tls?.listen;
      const onTls = tls !== undefined && (err as { port?: number }).port === tls.port;
      throw listenFailed(onTls ? 'proxy.tls.listen' : 'proxy.listen', err);
    });

    const addresses: RunningNode['addresses'] = { proxy: proxyAddrs.http, admin: '' };
    if (proxyAddrs.https !== undefined) addresses.proxyTls = proxyAddrs.https;
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
      };
    };
    const authenticator = createAuthenticator(store);
    await rememberOwnToken(authenticator, token.file);
    admin = await buildAdminApp({
      counters: limits.services.counters,
      config,
      store,
      keys,
      status,
      authenticator,
      logger: log,
      observe,
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
    addresses.admin = await admin
      .listen({ host: settings.admin.listen.host, port: settings.admin.listen.port })
      .catch((err: unknown) => {
        throw listenFailed('admin.listen', err);
      });
    addresses.admin = addresses.admin.replace(/^https?:\/\//, '');

    let stopping: Promise<void> | undefined;
    const adminApp = admin;
    const proxyServer = proxy;
    const observability = observe;
    const configThread = config;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        log.info({ in_flight: proxyServer.active }, 'shutting down: draining in-flight requests');
        await adminApp.close();
        await configThread.close();
        await proxyServer.drain(settings.proxy.drain_timeout_ms);
        // Every drained call has been recorded: write them out while the store is still open.
        await observability.close();
        await snapshots.stop();
        await cluster.close();
        await limits.close();
        await agents.close();
        // Writes the last batch of `last_used_at` before the store goes.
        await resolver.close();
        await store.close();
        stopAuthLog();
        stopFailureLog();
        log.info('stopped');
      })();
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
  } catch (err) {
    stopAuthLog();
    stopFailureLog();
    await admin?.close().catch(() => undefined);
    await config?.close().catch(() => undefined);
    await proxy?.drain(0).catch(() => undefined);
    await observe?.close().catch(() => undefined);
    await snapshots.stop().catch(() => undefined);
    await cluster.close().catch(() => undefined);
    await limits.close().catch(() => undefined);
    await agents.close();
    await resolver.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
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

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'is already in use (another process listens there)',
  EACCES: 'needs a privilege this process lacks (ports below 1024)',
  EADDRNOTAVAIL: 'is not an address of this host',
};

/** A listener that cannot bind is a setting to change or a process to stop, not a crash with a stack. */
function listenFailed(field: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const reason = e.code === undefined ? undefined : LISTEN_ERRORS[e.code];
  if (reason === undefined) return err;
  const host = e.address === undefined ? '' : e.address.includes(':') ? `[${e.address}]` : e.address;
  return new KeywayError(
    'KW_ERR_NODE_CONFIG',
    { field, reason: `${host}:${e.port ?? ''} ${reason}` },
    { cause: err },
  );
}

/** Default size of the key cache: about 40 MB of records at most (docs/keys.md). */
const KEY_CACHE_SIZE = 100_000;

async function startKeyResolver(
  store: Awaited<ReturnType<typeof openStore>>,
  settings: NodeSettings,
  log: Logger,
): Promise<{ resolver: ApiKeyResolver; secrets: SecretBox; serverSecret: Buffer }> {
  const secret = await loadKeySecret({
    envSecret: process.env['KEYWAY_SECRET'],
    dataDir: settings.data_dir,
    store,
  });
  if (secret.origin === 'store') {
    log.warn(
      'KEYWAY_SECRET is not set: the API-key hashing secret is kept in the database beside the hashes; ' +
        'set KEYWAY_SECRET on every node to keep them apart (docs/keys.md)',
    );
  }
  const size = Number(process.env['KEYWAY_KEY_CACHE_SIZE'] ?? KEY_CACHE_SIZE);
  if (!Number.isInteger(size) || size < 1) {
    throw new KeywayError('KW_ERR_NODE_CONFIG', {
      field: 'KEYWAY_KEY_CACHE_SIZE',
      reason: 'must be a positive integer',
    });
  }
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
  return { resolver, secrets: new SecretBox(secret.secret), serverSecret: secret.secret };
}

function printBanner(node: RunningNode, dialect: string, created: boolean): void {
  const lines = [
    `Keyway ${KEYWAY_VERSION} is running`,
    `  proxy        http://${node.addresses.proxy}`,
    ...(node.addresses.proxyTls === undefined ? [] : [`  proxy (TLS)  https://${node.addresses.proxyTls}`]),
    `  admin API    http://${node.addresses.admin}`,
    `  store        ${dialect === 'sqlite' ? `sqlite ${join(node.settings.data_dir, 'keyway.db')}` : 'postgresql'}`,
    `  admin token  ${node.adminTokenFile}${created ? ' (created now, mode 0600)' : ''}`,
    '',
    nextStep(),
  ];
  // stderr: stdout carries only JSON log lines, which collectors parse line by line.
  process.stderr.write(`${lines.join('\n')}\n`);
}
