/**
 * undici Agents (per-origin keep-alive pools), shared by every service with the same connection
 * settings and kept across snapshots: a config change must not drop warm upstream connections.
 */
import { Agent, interceptors, type Dispatcher } from 'undici';

export class AgentCache {
  private readonly agents = new Map<string, Agent>();
  private readonly resolving = new Map<string, Dispatcher>();

  /**
   * With `dnsRefreshMs`, host names are resolved by undici's DNS interceptor and cached that long: each
   * address gets its own pool, so a name that moves takes new requests to its new addresses within the
   * interval (node:dns `lookup` tells no TTL, so the interval is fixed). Without it, a name is resolved
   * whenever a new connection opens.
   */
  get(opts: { connectTimeoutMs: number; tlsVerify: boolean; dnsRefreshMs?: number | undefined }): Dispatcher {
    const base = this.agent(opts);
    if (opts.dnsRefreshMs === undefined) return base;
    const key = `${opts.connectTimeoutMs}|${opts.tlsVerify ? 1 : 0}|${opts.dnsRefreshMs}`;
    let d = this.resolving.get(key);
    if (d === undefined) {
      d = base.compose(interceptors.dns({ maxTTL: opts.dnsRefreshMs }));
      this.resolving.set(key, d);
    }
    return d;
  }

  private agent(opts: { connectTimeoutMs: number; tlsVerify: boolean }): Agent {
    const key = `${opts.connectTimeoutMs}|${opts.tlsVerify ? 1 : 0}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = new Agent({
        connect: { timeout: opts.connectTimeoutMs, rejectUnauthorized: opts.tlsVerify },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        // Timeouts are set per request from the service (read_timeout_ms); these are only the bounds.
        headersTimeout: 0,
        bodyTimeout: 0,
        pipelining: 1,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * The connections open to each upstream origin, summed over the agents (`/metrics`): `open` sockets, of
   * which `busy` carry a request. Read at scrape time from undici's pool stats.
   */
  pools(): Array<{ target: string; open: number; busy: number }> {
    const byTarget = new Map<string, { target: string; open: number; busy: number }>();
    for (const agent of this.agents.values()) {
      for (const [origin, stats] of Object.entries(agent.stats)) {
        const target = hostPort(origin);
        let p = byTarget.get(target);
        if (p === undefined) {
          p = { target, open: 0, busy: 0 };
          byTarget.set(target, p);
        }
        // A Pool's stats tell its free (idle) connections; a Client's (one connection) only whether it runs one.
        const connected = Number(stats.connected);
        const free = 'free' in stats ? stats.free : stats.running > 0 ? 0 : connected;
        p.open += connected;
        p.busy += Math.max(0, connected - free);
      }
    }
    return [...byTarget.values()];
  }

  async close(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    this.resolving.clear();
    await Promise.all(all.map((a) => a.close().catch(() => a.destroy())));
  }
}

/** `http://host:port` → `host:port`, the default port written out (targets are configured that way). */
function hostPort(origin: string): string {
  try {
    const url = new URL(origin);
    return url.port !== '' ? url.host : `${url.host}:${url.protocol === 'https:' ? 443 : 80}`;
  } catch {
    return origin;
  }
}
