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

  async close(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(all.map((a) => a.close().catch(() => a.destroy())));
  }
}
