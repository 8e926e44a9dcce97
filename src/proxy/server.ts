/**
 * The proxy listeners (HTTP and, when a certificate is configured, HTTPS) and their lifecycle: protocol
 * errors answered with the right status instead of a reset, in-flight requests counted so a shutdown
 * can drain them, keep-alive sockets closed when idle during a drain.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { KeywayError } from '../core/errors.js';
import type { ClientCertMode, ListenAddress } from '../server/settings.js';
import type { CallObserver } from '../observe/call-observer.js';
import { onClientError, type ParserError, type RefusalReport } from './client-error.js';
import { LogBudget, type ProxyLog } from './proxy-log.js';

export type { ProxyLog };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ProxyServerOptions {
  listen: ListenAddress;
  tls?: { listen: ListenAddress; cert: string; key: string; client_cert?: ClientCertMode };
  /** Request line plus header fields; beyond it Node refuses the request (we answer 431 or 414). */
  maxHeaderBytes: number;
  maxUriBytes: number;
  keepAliveTimeoutMs: number;
  /** Call records and metrics of the requests the parser refuses (the handler records the rest). */
  observer?: CallObserver | undefined;
  log?: ProxyLog | undefined;
}

export class ProxyServer {
  private readonly servers: Array<http.Server | https.Server> = [];
  private inFlight = 0;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  private readonly reportRefusal: RefusalReport | undefined;

  constructor(
    private readonly opts: ProxyServerOptions,
    private readonly handlers: { http: Handler; https: Handler },
  ) {
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
      requestTimeout: 0,
      headersTimeout: 60_000,
      // Answered by the handler (400 with a code and a call record) instead of Node's bare 400.
      requireHostHeader: false,
    };
    const plain = http.createServer(common, this.wrap(this.handlers.http));
    this.servers.push(plain);
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
      let secure: https.Server;
      try {
        secure = https.createServer(
          { ...common, cert, key, ...clientCertOptions(this.opts.tls.client_cert ?? 'request') },
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
      out.https = await this.listen(secure, this.opts.tls.listen);
    }
    return out;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Stops accepting, lets in-flight requests finish for up to `timeoutMs`, then closes what is left. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of this.servers) s.closeIdleConnections();
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const s of this.servers) s.closeAllConnections();
    await Promise.all(closed);
  }

  private wrap(handler: Handler): Handler {
    return (req, res) => {
      this.inFlight++;
      // `on`, not `once`: a response closes once, and `once` wraps the listener on every request.
      res.on('close', this.onDone);
      if (this.draining) res.shouldKeepAlive = false;
      handler(req, res);
    };
  }

  private readonly onDone = (): void => {
    this.inFlight--;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
    if (this.draining) for (const s of this.servers) s.closeIdleConnections();
  };

  private async listen(server: http.Server | https.Server, addr: ListenAddress): Promise<string> {
    server.on('clientError', (err: ParserError, socket: Socket) =>
      onClientError(err, socket, this.opts.maxUriBytes, this.reportRefusal),
    );
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
