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

  async close(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    this.resolving.clear();
    await Promise.all(all.map((a) => a.close().catch(() => a.destroy())));
  }
}
