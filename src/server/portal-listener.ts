/**
 * The developer portal's listener: the node's settings turned into the portal app's (src/portal/), bound
 * to `portal.listen`, and the hourly sweep of expired sessions and links.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AdminConfigService } from '../control/types.js';
import type { KeyService } from '../keys/key-service.js';
import type { Observability } from '../observe/observability.js';
import type { CounterStore } from '../pipeline/counter-store.js';
import { buildPortalApp } from '../portal/app.js';
import type { PortalSettings } from '../portal/types.js';
import type { Store } from '../store/types.js';
import { listenFailed } from './listen-errors.js';
import type { ListenAddress, NodeSettings } from './settings.js';

const SWEEP_MS = 3_600_000;

export interface RunningPortal {
  address: string;
  close(): Promise<void>;
}

export function portalSettings(settings: NodeSettings): PortalSettings {
  const p = settings.portal;
  const out: PortalSettings = {
    workspaces: p.workspaces,
    emailVerification: p.email_verification,
    sessionTtlMs: p.session_ttl_ms,
    linkTtlMs: p.link_ttl_ms,
    login: {
      maxFailures: p.login.max_failures,
      lockoutMs: p.login.lockout_ms,
      ipMaxFailures: p.login.ip_max_failures,
      ipWindowMs: p.login.ip_window_ms,
    },
  };
  if (p.public_url !== undefined) out.publicUrl = p.public_url;
  if (p.oidc !== undefined) {
    out.oidc = { issuer: p.oidc.issuer, clientId: p.oidc.client_id, name: p.oidc.name };
    if (p.oidc.client_secret !== undefined) out.oidc.clientSecret = p.oidc.client_secret;
  }
  return out;
}

export async function startPortal(opts: {
  settings: NodeSettings;
  listen: ListenAddress;
  store: Store;
  config: AdminConfigService;
  keys: KeyService;
  secret: Uint8Array;
  counters: CounterStore;
  observe: Observability;
  logger: Logger;
  now?: () => number;
}): Promise<RunningPortal> {
  const now = opts.now ?? Date.now;
  const app: FastifyInstance = await buildPortalApp({
    settings: portalSettings(opts.settings),
    store: opts.store,
    config: opts.config,
    keys: opts.keys,
    secret: opts.secret,
    counters: opts.counters,
    observe: opts.observe,
    trustedProxies: opts.settings.proxy.trusted_proxies,
    logger: opts.logger,
    now,
  });
  const at = await app
    .listen({ host: opts.listen.host, port: opts.listen.port })
    .catch(async (err: unknown) => {
      await app.close().catch(() => undefined);
      throw listenFailed('portal.listen', err);
    });
  // Expired rows are refused when read; the sweep only keeps the tables small. Worker slot 0 alone.
  const sweep =
    opts.settings.worker_slot === 0
      ? setInterval(() => {
          opts.store.portal
            .sweep(new Date(now()).toISOString())
            .catch((err: unknown) =>
              opts.logger.warn(
                { err: err instanceof Error ? err.message : String(err) },
                'portal: sweep failed',
              ),
            );
        }, SWEEP_MS).unref()
      : undefined;
  return {
    address: at.replace(/^https?:\/\//, ''),
    async close() {
      clearInterval(sweep);
      await app.close();
    },
  };
}
