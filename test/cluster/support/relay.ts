/**
 * A TCP relay the test owns, between Keyway and PostgreSQL or Redis. `cut()` closes the listener and
 * destroys every relayed connection (what a server crash or a network partition looks like to the node),
 * `restore()` listens again on the same port. `pause()` black-holes it instead: connections stay open
 * and new ones are accepted, but nothing flows either way (a hung server, a firewall dropping packets);
 * `resume()` lets everything held meanwhile through. The real servers are never touched.
 */
import net from 'node:net';
import { once } from 'node:events';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
}

export class Relay {
  #server: net.Server | undefined;
  readonly #pairs = new Set<Pair>();
  #port = 0;
  #paused = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get port(): number {
    return this.#port;
  }

  async start(): Promise<number> {
    const server = net.createServer((client) => {
      const pair: Pair = { client, upstream: undefined };
      this.#pairs.add(pair);
      const drop = (): void => {
        client.destroy();
        pair.upstream?.destroy();
        this.#pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      // A connection accepted while paused reaches the server only on resume (its bytes wait meanwhile).
      if (this.#paused) client.pause();
      else this.#flow(pair, drop);
    });
    server.listen(this.#port, '127.0.0.1');
    await once(server, 'listening');
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
    return this.#port;
  }

  #flow(pair: Pair, drop: () => void): void {
    if (pair.upstream === undefined) {
      const upstream = net.connect(this.targetPort, this.targetHost);
      upstream.on('error', drop).on('close', drop);
      pair.upstream = upstream;
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
    pair.client.resume();
    pair.upstream.resume();
  }

  /** Nothing flows any more, either way; every socket stays open. */
  pause(): void {
    this.#paused = true;
    for (const { client, upstream } of this.#pairs) {
      client.unpipe();
      client.pause();
      upstream?.unpipe();
      upstream?.pause();
    }
  }

  /** What was held flows on, and new connections reach the server again. */
  resume(): void {
    this.#paused = false;
    for (const pair of this.#pairs) {
      this.#flow(pair, () => {
        pair.client.destroy();
        pair.upstream?.destroy();
        this.#pairs.delete(pair);
      });
    }
  }

  /** Refuses new connections and breaks the open ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.#pairs.clear();
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }

  async restore(): Promise<void> {
    await this.start();
  }

  async close(): Promise<void> {
    this.#paused = false;
    await this.cut();
  }
}
