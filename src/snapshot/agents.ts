/**
 * undici Agents (per-origin keep-alive pools), shared by every service with the same connection
 * settings and kept across snapshots: a config change must not drop warm upstream connections.
 */
import { Agent, type Dispatcher } from 'undici';

export class AgentCache {
  private readonly agents = new Map<string, Agent>();

  get(opts: { connectTimeoutMs: number; tlsVerify: boolean }): Dispatcher {
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
