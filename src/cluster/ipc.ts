/**
 * The messages between the primary of `keyway start --workers N` and its workers, over node:cluster's
 * IPC channel, and the worker's side of the change-event relay. Every message carries `kw` so that
 * anything else on the channel (Node's own cluster traffic) is ignored by type guard, not by accident.
 */
import { decodeEvent, type ChangeBus, type ChangeEvent } from './change-events.js';

export interface WorkerAddresses {
  proxy: string;
  proxyTls?: string;
  admin: string;
  portal?: string;
}

export type WorkerMessage =
  | { kw: 'listening'; addresses: WorkerAddresses }
  | { kw: 'event'; event: ChangeEvent }
  | { kw: 'counter'; id: number; op: string; args: unknown[] };

export type PrimaryMessage =
  | { kw: 'event'; event: ChangeEvent }
  | { kw: 'counter-reply'; id: number; ok: true; result: unknown }
  | { kw: 'counter-reply'; id: number; ok: false; error: string; unavailable: boolean };

export function isKeywayMessage(msg: unknown): msg is { kw: string } & Record<string, unknown> {
  return typeof msg === 'object' && msg !== null && typeof (msg as { kw?: unknown }).kw === 'string';
}

/** A worker's process handle to its primary; absent outside a cluster worker. */
export interface IpcChannel {
  send(message: WorkerMessage): boolean;
  on(event: 'message', listener: (msg: unknown) => void): unknown;
  off(event: 'message', listener: (msg: unknown) => void): unknown;
  readonly connected: boolean;
}

export function workerChannel(): IpcChannel | undefined {
  if (typeof process.send !== 'function') return undefined;
  return process as unknown as IpcChannel;
}

/**
 * Change events between the workers of one node: a worker sends its event to the primary, which hands
 * it to every other worker. Costs one structured-clone per worker; events are rare (admin changes).
 */
export class IpcChangeBus implements ChangeBus {
  readonly name = 'ipc';
  readonly #handlers = new Set<(event: ChangeEvent) => void>();
  readonly #listener = (msg: unknown): void => {
    if (!isKeywayMessage(msg) || msg.kw !== 'event') return;
    const event = decodeEvent(msg['event']);
    if (event === undefined) return;
    for (const h of this.#handlers) h(event);
  };

  constructor(private readonly channel: IpcChannel) {
    channel.on('message', this.#listener);
  }

  publish(event: ChangeEvent): void {
    // A worker whose primary is gone is about to be stopped; there is nobody to tell.
    if (this.channel.connected) this.channel.send({ kw: 'event', event });
  }

  subscribe(handler: (event: ChangeEvent) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  onResync(): void {
    // A worker that (re)starts loads the store's current state; there is no outage to recover from.
  }

  async close(): Promise<void> {
    this.channel.off('message', this.#listener);
    this.#handlers.clear();
  }
}
