/**
 * The proxy listeners' client connections, and the ways a client holds one without using it: thousands open
 * and idle, a request body that stops or trickles, a response never read.
 *
 * - **Caps.** At most `maxConnections` at once (derived from the file-descriptor limit, fd-limit.ts) and
 *   `maxPerAddress` per client address (IPv6: per /64, what one subscriber gets). A newcomer over a cap takes
 *   the place of the oldest *idle* connection — over the per-address cap, its own address's oldest — and is
 *   closed only when none is idle. Idle means no request in flight: keep-alive between requests, or opened
 *   and not yet past its headers (slowloris is idle until its headers end). So a flood of idle connections
 *   cannot keep out a client that sends requests: the flood's oldest go first.
 * - **Body idle and send stall.** One coarse sweep (every `checkIntervalMs`, not a timer per request: the
 *   request path gets two Map lookups and a few stores) compares each connection's byte counters with the
 *   last sweep: a request body with no new byte for `bodyTimeoutMs` (nginx `client_body_timeout`), or a
 *   response with bytes waiting and none taken for `sendTimeoutMs` (nginx `send_timeout`), is expired. A
 *   body paused by back-pressure (the upstream reads slowly) is not the client's stall and is not counted.
 *   Deadlines therefore hold to within one interval, later never earlier.
 * - Header and whole-request deadlines are Node's own (`headersTimeout`, `requestTimeout`, checked on the
 *   same interval); this module says which connection a parser timeout belongs to (`parserTimedOut`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';

export interface ConnectionOptions {
  maxConnections: number;
  /** 0: no per-address cap. */
  maxPerAddress: number;
  /** Peers the per-address cap does not apply to (trusted proxies: every client arrives through them). */
  exempt(ip: string): boolean;
  /** 0: off. */
  bodyTimeoutMs: number;
  /** 0: off. */
  sendTimeoutMs: number;
  checkIntervalMs: number;
}

export interface ConnectionEvents {
  /** A request whose client stopped sending its body, or ran out of time: the listener answers 408. */
  expired(res: ServerResponse, why: 'body' | 'request'): void;
  /** What the caps did since the last report (at most one report per REPORT_MS). */
  pressure(report: PressureReport): void;
}

export interface PressureReport {
  /** Idle connections closed to make room for new ones. */
  shed: number;
  /** New connections closed because every connection over the cap was busy. */
  refused: number;
  /** Connections cut because their client stopped reading the response. */
  stalled: number;
  open: number;
  max: number;
}

const REPORT_MS = 10_000;
const DRAIN_TICK_MS = 50;

/** Per client address: how many connections, and its idle ones oldest first. */
class Peer {
  count = 0;
  head: Conn | undefined = undefined;
  tail: Conn | undefined = undefined;
  constructor(readonly key: string) {}
}

class Conn {
  /** Where requests arrive: the TCP socket, or for HTTPS the TLS socket once the handshake is done. */
  socket: Socket;
  /** In the idle lists (no request in flight). */
  idle = true;
  prev: Conn | undefined = undefined;
  next: Conn | undefined = undefined;
  peerPrev: Conn | undefined = undefined;
  peerNext: Conn | undefined = undefined;
  inFlight = 0;
  requests = 0;
  /** The latest request and its response, while the body arrives or the answer goes out. */
  req: IncomingMessage | undefined = undefined;
  res: ServerResponse | undefined = undefined;
  /** Drain ticks spent idle. */
  drainTicks = 0;
  /** Byte counters at the last sweep (-1: not seen yet), and since when they stood still. */
  lastRead = -1;
  readSince = 0;
  lastWritten = -1;
  writeSince = 0;
  gone = false;

  constructor(
    readonly raw: Socket,
    readonly peer: Peer | undefined,
  ) {
    this.socket = raw;
  }
}

export class ClientConnections {
  /** By the socket requests arrive on, and by the TCP socket under a TLS one. */
  private readonly bySocket = new Map<Socket, Conn>();
  private readonly all = new Set<Conn>();
  private readonly peers = new Map<string, Peer>();
  private idleHead: Conn | undefined = undefined;
  private idleTail: Conn | undefined = undefined;
  private timer: NodeJS.Timeout | undefined;
  private shed = 0;
  private refused = 0;
  private stalled = 0;
  private lastReport = -REPORT_MS;
  private draining: { empty: () => void; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {}

  get size(): number {
    return this.all.size;
  }

  /** Tracks the connections of a listener (`secure`: an HTTPS one, whose requests come on TLS sockets). */
  attach(server: Server, secure: boolean): void {
    server.on('connection', this.onConnection);
    // Node's TLSSocket keeps the TCP socket it wraps as `_parent` (lib/_tls_wrap.js).
    if (secure)
      server.on('secureConnection', (tls: Socket & { _parent?: Socket }) => {
        const c = tls._parent === undefined ? undefined : this.bySocket.get(tls._parent);
        if (c === undefined || c.gone) return;
        c.socket = tls;
        this.bySocket.set(tls, c);
      });
    if (this.timer === undefined) {
      this.timer = setInterval(this.sweep, this.opts.checkIntervalMs);
      this.timer.unref();
    }
  }

  /** A request arrived (before the handler runs). */
  started(req: IncomingMessage, res: ServerResponse): void {
    const c = this.bySocket.get(req.socket);
    if (c === undefined) return;
    if (c.idle) this.unlinkIdle(c);
    c.inFlight++;
    c.requests++;
    c.req = req;
    c.res = res;
    c.lastRead = -1;
    c.lastWritten = -1;
    c.drainTicks = 0;
  }

  /** Its response closed (sent, or the connection went). */
  finished(res: ServerResponse): void {
    const c = this.bySocket.get(res.req.socket);
    if (c === undefined || c.inFlight === 0) return;
    if (--c.inFlight > 0) return;
    if (c.res === res) c.res = undefined;
    // A body the handler did not wait for (an early 401, 404…) is still read and thrown away by Node, and
    // still has to keep coming.
    if (c.req?.complete !== false) c.req = undefined;
    if (!c.gone && !c.socket.destroyed) this.linkIdle(c);
  }

  /** Whether a request is in flight on this socket (an answer may be going out: no raw bytes may be sent). */
  busy(socket: Socket): boolean {
    const c = this.bySocket.get(socket);
    return c !== undefined && c.inFlight > 0;
  }

  /**
   * Node's header or request deadline passed on this socket. True when handled here: a request in flight is
   * expired like a stalled body, a connection that never sent a byte is closed without a word, a body
   * nobody waits for any more is cut. False: headers that did not end in time, for the listener's 408.
   */
  parserTimedOut(socket: Socket): boolean {
    const c = this.bySocket.get(socket);
    if (c === undefined) return false;
    if (c.inFlight > 0 && c.res !== undefined && !c.res.writableEnded) {
      this.events.expired(c.res, 'request');
      return true;
    }
    if (c.req !== undefined || (c.requests === 0 && socket.bytesRead === 0)) {
      socket.destroy();
      return true;
    }
    return false;
  }

  /**
   * Ends keep-alive without resetting anyone: answers whose head has not gone out yet say
   * `Connection: close` (Node closes after them), and a connection is closed by us only once it has been
   * idle for `graceMs` — a client that just got an answer may already be sending its next request, which
   * is then served, with `Connection: close`. Resolves when no connection is left.
   */
  drain(graceMs: number): Promise<void> {
    for (const c of this.all) {
      if (c.res !== undefined && !c.res.headersSent) c.res.shouldKeepAlive = false;
      c.drainTicks = 0;
    }
    if (this.all.size === 0) return Promise.resolve();
    // Its own, finer tick: the sweep's can be a second, and a drain should not wait that long.
    const ticks = Math.ceil(graceMs / DRAIN_TICK_MS);
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        for (const c of this.all) if (c.idle && ++c.drainTicks > ticks) c.socket.destroy();
      }, DRAIN_TICK_MS);
      this.draining = {
        timer,
        empty: () => {
          clearInterval(timer);
          resolve();
        },
      };
    });
  }

  /** Closes every connection at once, and stops the sweep. */
  closeAll(): void {
    for (const c of [...this.all]) c.socket.destroy();
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.draining !== undefined) clearInterval(this.draining.timer);
  }

  private readonly onConnection = (socket: Socket): void => {
    const ip = socket.remoteAddress;
    if (ip === undefined) {
      socket.destroy();
      return;
    }
    let peer: Peer | undefined;
    if (this.opts.maxPerAddress > 0 && !this.opts.exempt(ip)) {
      const key = addressKey(ip);
      peer = this.peers.get(key);
      if (peer === undefined) this.peers.set(key, (peer = new Peer(key)));
      else if (peer.count >= this.opts.maxPerAddress && !this.shedOldest(peer)) {
        this.refuse(socket);
        return;
      }
    }
    if (this.all.size >= this.opts.maxConnections && !this.shedOldest(undefined)) {
      if (peer !== undefined && peer.count === 0) this.peers.delete(peer.key);
      this.refuse(socket);
      return;
    }
    const c = new Conn(socket, peer);
    if (peer !== undefined) peer.count++;
    this.all.add(c);
    this.bySocket.set(socket, c);
    this.linkIdle(c);
    socket.once('close', () => this.remove(c));
  };

  private refuse(socket: Socket): void {
    this.refused++;
    socket.destroy();
  }

  /** Closes the oldest idle connection (of one address, or of all); false when none is idle. */
  private shedOldest(peer: Peer | undefined): boolean {
    const victim = peer === undefined ? this.idleHead : peer.head;
    if (victim === undefined) return false;
    this.shed++;
    this.remove(victim);
    victim.socket.destroy();
    return true;
  }

  private remove(c: Conn): void {
    if (c.gone) return;
    c.gone = true;
    if (c.idle) this.unlinkIdle(c);
    this.all.delete(c);
    this.bySocket.delete(c.raw);
    this.bySocket.delete(c.socket);
    c.req = undefined;
    c.res = undefined;
    const peer = c.peer;
    if (peer !== undefined && --peer.count === 0) this.peers.delete(peer.key);
    if (this.draining !== undefined && this.all.size === 0) this.draining.empty();
  }

  private linkIdle(c: Conn): void {
    c.idle = true;
    c.prev = this.idleTail;
    c.next = undefined;
    if (this.idleTail !== undefined) this.idleTail.next = c;
    else this.idleHead = c;
    this.idleTail = c;
    const p = c.peer;
    if (p === undefined) return;
    c.peerPrev = p.tail;
    c.peerNext = undefined;
    if (p.tail !== undefined) p.tail.peerNext = c;
    else p.head = c;
    p.tail = c;
  }

  private unlinkIdle(c: Conn): void {
    c.idle = false;
    if (c.prev !== undefined) c.prev.next = c.next;
    else this.idleHead = c.next;
    if (c.next !== undefined) c.next.prev = c.prev;
    else this.idleTail = c.prev;
    c.prev = c.next = undefined;
    const p = c.peer;
    if (p === undefined) return;
    if (c.peerPrev !== undefined) c.peerPrev.peerNext = c.peerNext;
    else p.head = c.peerNext;
    if (c.peerNext !== undefined) c.peerNext.peerPrev = c.peerPrev;
    else p.tail = c.peerPrev;
    c.peerPrev = c.peerNext = undefined;
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    const { bodyTimeoutMs, sendTimeoutMs } = this.opts;
    for (const c of this.all) {
      const socket = c.socket;
      const req = c.req;
      if (bodyTimeoutMs > 0 && req !== undefined && !req.complete) {
        const read = socket.bytesRead;
        // Paused: the upstream is not taking the body as fast as it comes, which is not the client's stall.
        if (read !== c.lastRead || socket.isPaused()) {
          c.lastRead = read;
          c.readSince = now;
        } else if (now - c.readSince >= bodyTimeoutMs) {
          const res = c.res;
          if (res !== undefined && !res.writableEnded) this.events.expired(res, 'body');
          else socket.destroy();
          c.lastRead = -1;
          continue;
        }
      }
      if (sendTimeoutMs > 0 && c.inFlight > 0) {
        // Bytes queued and none taken: the client stopped reading (slow-read). New bytes are only queued
        // after the client took some, so an unchanged count means no progress.
        if (socket.writableLength === 0) c.lastWritten = -1;
        else if (socket.bytesWritten !== c.lastWritten) {
          c.lastWritten = socket.bytesWritten;
          c.writeSince = now;
        } else if (now - c.writeSince >= sendTimeoutMs) {
          this.stalled++;
          socket.destroy();
        }
      }
    }
    if (this.shed + this.refused + this.stalled > 0 && now - this.lastReport >= REPORT_MS) {
      this.lastReport = now;
      this.events.pressure({
        shed: this.shed,
        refused: this.refused,
        stalled: this.stalled,
        open: this.all.size,
        max: this.opts.maxConnections,
      });
      this.shed = this.refused = this.stalled = 0;
    }
  };
}

/** What the per-address cap counts by: the IPv4 address, or the /64 of an IPv6 one (one subscriber's). */
export function addressKey(ip: string): string {
  if (ip.indexOf(':') === -1) return ip;
  if (ip.startsWith('::ffff:') && ip.indexOf('.') !== -1) return ip.slice(7);
  const zone = ip.indexOf('%');
  const addr = (zone === -1 ? ip : ip.slice(0, zone)).toLowerCase();
  const gap = addr.indexOf('::');
  let groups: string[];
  if (gap === -1) groups = addr.split(':');
  else {
    const head = gap === 0 ? [] : addr.slice(0, gap).split(':');
    const tail = gap + 2 >= addr.length ? [] : addr.slice(gap + 2).split(':');
    groups = [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
