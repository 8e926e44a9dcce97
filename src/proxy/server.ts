/**
 * The proxy listeners (HTTP and, when a certificate is configured, HTTPS) and their lifecycle: protocol
 * errors answered with the right status instead of a reset, clients that hold connections without using
 * them bounded (connections.ts), in-flight requests counted so a shutdown can drain them, keep-alive sockets
 * closed when idle during a drain.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type Socket } from 'node:net';
import { once } from 'node:events';
import { KeywayError } from '../core/errors.js';
import type { CallObserver } from '../observe/call-observer.js';
import { onClientError, type ParserError, type RefusalReport } from './client-error.js';
import { ClientConnections, type PressureReport } from './connections.js';
import { ProxyResponse } from '../pipeline/context.js';
import { defaultMaxConnections } from './fd-limit.js';
import { abandonRequest } from './forward.js';
import type { TrustedProxies } from './headers.js';
import { LogBudget, type ProxyLog } from './proxy-log.js';
import { refuse } from '../pipeline/reply.js';

// What a listener needs of the node's settings (src/server/settings.ts gives it): declared here, so the
// data plane does not import the layer that starts it.
interface ListenAddress {
  host: string;
  port: number;
}
type ClientCertMode = 'request' | 'off';

export type { ProxyLog };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Listener =
  | http.Server<typeof IncomingMessage, typeof ProxyResponse>
  | https.Server<typeof IncomingMessage, typeof ProxyResponse>;

/** How long clients may take, and how many connections they may hold (docs/configuration.md#timeouts). */
export interface ClientLimits {
  /** Request line and headers, from the connection's first byte or the request's. */
  headerTimeoutMs: number;
  /** Longest pause between two reads of a request body; 0: none. */
  bodyTimeoutMs: number;
  /** The whole request, headers and body; 0: none. */
  requestTimeoutMs: number;
  /** Longest a response may wait for the client to read any of it; 0: none. */
  sendTimeoutMs: number;
  /** 0: from the file-descriptor limit (fd-limit.ts). */
  maxConnections: number;
  /** 0: no per-address cap. */
  maxConnectionsPerIp: number;
}

export const CLIENT_LIMIT_DEFAULTS: ClientLimits = {
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  sendTimeoutMs: 60_000,
  maxConnections: 0,
  maxConnectionsPerIp: 1000,
};

export interface ProxyServerOptions {
  listen: ListenAddress;
  tls?: { listen: ListenAddress; cert: string; key: string; client_cert?: ClientCertMode };
  /** Request line plus header fields; beyond it Node refuses the request (we answer 431 or 414). */
  maxHeaderBytes: number;
  maxUriBytes: number;
  keepAliveTimeoutMs: number;
  clients?: Partial<ClientLimits> | undefined;
  /** Exempt from the per-address connection cap: every client arrives through them. */
  trusted?: TrustedProxies | undefined;
  /** Call records and metrics of the requests the parser refuses (the handler records the rest). */
  observer?: CallObserver | undefined;
  log?: ProxyLog | undefined;
}

/**
 * How often deadlines are checked: a quarter of the shortest, at most once a second (Node's own default is
 * 30 s, which let a 60 s header deadline run to 88 s).
 */
/**
 * How long a keep-alive connection must have been idle before a drain closes it: a client that has just
 * had an answer is often about to send its next request, and closing under it resets that request.
 */
const DRAIN_IDLE_GRACE_MS = 500;

function checkInterval(limits: ClientLimits): number {
  const set = [limits.headerTimeoutMs, limits.bodyTimeoutMs, limits.requestTimeoutMs, limits.sendTimeoutMs];
  const shortest = Math.min(...set.filter((ms) => ms > 0));
  return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
}

export class ProxyServer {
  private readonly servers: Listener[] = [];
  /** This server's own response class, so that `serves` can tell its responses by their class. */
  private readonly Response = class extends ProxyResponse {};
  private inFlight = 0;
  private draining = false;
  private readonly reportRefusal: RefusalReport | undefined;
  private readonly limits: ClientLimits;
  private readonly interval: number;
  readonly connections: ClientConnections;

  constructor(
    private readonly opts: ProxyServerOptions,
    private readonly handlers: { http: Handler; https: Handler },
  ) {
    const limits: ClientLimits = { ...CLIENT_LIMIT_DEFAULTS };
    for (const [k, v] of Object.entries(opts.clients ?? {}))
      if (v !== undefined) limits[k as keyof ClientLimits] = v;
    if (limits.requestTimeoutMs > 0 && limits.requestTimeoutMs < limits.headerTimeoutMs)
      throw new KeywayError('KW_ERR_NODE_CONFIG', {
        field: 'proxy.request_timeout_ms',
        reason: 'must be 0 or at least proxy.header_timeout_ms',
      });
    this.limits = limits;
    this.interval = checkInterval(limits);
    const trusted = opts.trusted;
    this.connections = new ClientConnections(
      {
        maxConnections: limits.maxConnections > 0 ? limits.maxConnections : defaultMaxConnections(),
        maxPerAddress: limits.maxConnectionsPerIp,
        exempt: (ip) => trusted?.has(ip) === true,
        bodyTimeoutMs: limits.bodyTimeoutMs,
        sendTimeoutMs: limits.sendTimeoutMs,
        checkIntervalMs: this.interval,
      },
      { expired: this.onExpired, pressure: this.onPressure },
    );
    const { observer, log } = opts;
    const budget = log === undefined ? undefined : new LogBudget(log, 'requests refused by the parser');
    if (observer !== undefined || budget !== undefined)
      this.reportRefusal = (r, reason) => {
        observer?.refusedByParser(r);
        budget?.info(
          { request_id: r.requestId, client_ip: r.clientIp, status: r.status, code: r.code, reason },
          'request refused by the HTTP parser',
        );
      };
  }

  async start(): Promise<{ http: string; https?: string }> {
    const common = {
      // Node counts the request line and headers together; leave room for the URI limit so an oversized
      // header block, not a long URL, is what trips this.
      maxHeaderSize: this.opts.maxHeaderBytes + this.opts.maxUriBytes + 1024,
      keepAliveTimeout: this.opts.keepAliveTimeoutMs,
      headersTimeout: this.limits.headerTimeoutMs,
      requestTimeout: this.limits.requestTimeoutMs,
      connectionsCheckingInterval: this.interval,
      // Answered by the handler (400 with a code and a call record) instead of Node's bare 400.
      requireHostHeader: false,
      ServerResponse: this.Response,
    };
    const plain = http.createServer(common, this.wrap(this.handlers.http));
    this.servers.push(plain);
    this.connections.attach(plain, false);
    const out: { http: string; https?: string } = { http: await this.listen(plain, this.opts.listen) };
    if (this.opts.tls !== undefined) {
      let cert: Buffer;
      let key: Buffer;
      try {
        cert = readFileSync(this.opts.tls.cert);
        key = readFileSync(this.opts.tls.key);
      } catch (err) {
        throw new KeywayError(
          'KW_ERR_TLS_CONFIG',
          { field: 'proxy.tls', reason: 'cannot read certificate or key file' },
          { cause: err },
        );
      }
      let secure: https.Server<typeof IncomingMessage, typeof ProxyResponse>;
      try {
        secure = https.createServer(
          {
            ...common,
            // A TLS handshake is part of getting a request in: the same deadline (Node's default is 120 s).
            handshakeTimeout: this.limits.headerTimeoutMs,
            cert,
            key,
            ...clientCertOptions(this.opts.tls.client_cert ?? 'request'),
          },
          this.wrap(this.handlers.https),
        );
      } catch (err) {
        throw new KeywayError(
          'KW_ERR_TLS_CONFIG',
          { field: 'proxy.tls', reason: err instanceof Error ? err.message : 'invalid' },
          { cause: err },
        );
      }
      this.servers.push(secure);
      this.connections.attach(secure, true);
      out.https = await this.listen(secure, this.opts.tls.listen);
    }
    return out;
  }

  get active(): number {
    return this.inFlight;
  }

  /**
   * Whether a response is one of these listeners'. The failures on diagnostics_channel (diagnostics.ts)
   * are process-wide; a process with several gateways (tests) tells its own by this. (The request's socket
   * cannot say: it is detached once the response finished, and a failure may be told after that.)
   */
  serves(res: ServerResponse): boolean {
    return res instanceof this.Response;
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to `timeoutMs` — telling their clients the
   * connection closes after them — closes keep-alive connections as they go idle, then closes what is left.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    // net.Server's close, not http.Server's: since Node 19 the latter also closes every idle keep-alive
    // connection at once, under clients that may be sending their next request that very moment.
    for (const s of this.servers) net.Server.prototype.close.call(s);
    if (timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.connections.drain(DRAIN_IDLE_GRACE_MS),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.connections.closeAll();
    for (const s of this.servers) s.closeAllConnections();
    // http.Server's close now, for its own bookkeeping (it stops Node's deadline checks).
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private wrap(handler: Handler): Handler {
    return (req, res) => {
      this.inFlight++;
      // `on`, not `once`: a response closes once, and `once` wraps the listener on every request.
      res.on('close', this.onDone);
      this.connections.started(req, res);
      if (this.draining) res.shouldKeepAlive = false;
      handler(req, res);
    };
  }

  /** A request ran out of time (connections.ts): 408, and its upstream exchange dropped (forward.ts). */
  private readonly onExpired = (res: ServerResponse, why: 'body' | 'request'): void => {
    const err = new KeywayError('KW_ERR_REQUEST_TIMEOUT', {
      reason:
        why === 'body'
          ? `no request body data for ${this.limits.bodyTimeoutMs} ms (proxy.body_timeout_ms)`
          : `the request took longer than ${this.limits.requestTimeoutMs} ms (proxy.request_timeout_ms)`,
    });
    const ctx = (res as ProxyResponse).ctx;
    if (ctx !== undefined) return abandonRequest(ctx, err);
    if (res.headersSent) return void res.destroy();
    res.shouldKeepAlive = false;
    refuse(res, err, randomUUID());
  };

  private readonly onPressure = (r: PressureReport): void => {
    this.opts.log?.warn(
      { ...r, max_per_ip: this.limits.maxConnectionsPerIp },
      'client connections closed under the connection caps or for not reading (proxy.max_connections, proxy.send_timeout_ms)',
    );
  };

  /** Every response's `close` listener: one plain function, so that `this` in it is the response. */
  private readonly onDone = ProxyServer.doneListener(this);

  private static doneListener(server: ProxyServer): (this: ServerResponse) => void {
    return function onDone(this: ServerResponse): void {
      server.responseClosed(this);
    };
  }

  private responseClosed(res: ServerResponse): void {
    this.inFlight--;
    this.connections.finished(res);
  }

  private async listen(server: Listener, addr: ListenAddress): Promise<string> {
    server.on('clientError', (err: ParserError, socket: Socket) => {
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && this.connections.parserTimedOut(socket)) return;
      // An answer may be going out on this socket (a pipelined request failed to parse behind it): raw
      // bytes would land in the middle of it.
      if (this.connections.busy(socket)) return void socket.destroy();
      onClientError(err, socket, this.opts.maxUriBytes, this.limits.headerTimeoutMs, this.reportRefusal);
    });
    server.listen(addr.port, addr.host);
    await once(server, 'listening');
    const a = server.address();
    if (a === null || typeof a === 'string') return String(a);
    return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  }
}

/**
 * Client certificates (mTLS). TLS 1.3 has no renegotiation (RFC 8446 §4.6.2 post-handshake auth is
 * not offered by Node), and the route is known only after the handshake, so the listener decides for
 * every connection: it *requests* a certificate (`requestCert`) but does not *require* or judge one
 * (`rejectUnauthorized: false`). No `ca` is set, so the CertificateRequest names no CAs and clients
 * send whatever certificate they were configured with. Each `mtls-auth` config then verifies the
 * chain against its own CA bundle and CRLs — never the system store, whose verdict Node computes
 * alongside (`socket.authorized`) and Keyway ignores. Routes without mtls-auth ignore the certificate.
 * The cost: browsers holding personal certificates may show a picker; `client_cert: off` avoids that
 * on a listener that serves no mTLS routes.
 */
function clientCertOptions(mode: ClientCertMode): { requestCert: boolean; rejectUnauthorized: boolean } {
  return mode === 'request'
    ? { requestCert: true, rejectUnauthorized: false }
    : { requestCert: false, rejectUnauthorized: false };
}
