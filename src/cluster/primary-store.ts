/**
 * Counters for `keyway start --workers N`: the workers of one machine count in one place, the cluster
 * primary, so a limit of L is L for the whole node and not L per worker. A worker's `PrimaryCounterStore`
 * sends each operation over the cluster IPC channel; the primary answers from an in-process store.
 *
 * Why the primary and not Redis for one machine: no extra server to run, and the round trip is a local
 * pipe (measured in test/cluster/primary-counters.test.ts; figures in docs/cluster.md). Every operation
 * is atomic because the primary's event loop runs them one at a time.
 */
import { isKeywayMessage, type IpcChannel, type PrimaryMessage } from './ipc.js';
import {
  CounterUnavailableError,
  type CounterStore,
  type QuotaDecision,
  type QuotaRule,
  type RateDecision,
  type RateRule,
} from '../pipeline/counter-store.js';

/** An answer slower than this means the primary is stuck or gone; the plugin's fail policy decides. */
const DEFAULT_TIMEOUT_MS = 1_000;

const OPS = [
  'consumeRate',
  'consumeQuota',
  'peekQuota',
  'chargeRate',
  'chargeQuota',
  'acquire',
  'release',
] as const;
type Op = (typeof OPS)[number];

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The worker's side: a CounterStore whose state lives in the primary. */
export class PrimaryCounterStore implements CounterStore {
  readonly kind = 'primary' as const;
  readonly #channel: IpcChannel;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  readonly #listener = (msg: unknown): void => {
    if (!isKeywayMessage(msg) || msg.kw !== 'counter-reply') return;
    const reply = msg as unknown as PrimaryMessage & { kw: 'counter-reply' };
    const p = this.#pending.get(reply.id);
    if (p === undefined) return;
    this.#pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(reply.unavailable ? new CounterUnavailableError(reply.error) : new Error(reply.error));
  };

  constructor(channel: IpcChannel, opts: { timeoutMs?: number } = {}) {
    this.#channel = channel;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    channel.on('message', this.#listener);
  }

  consumeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision> {
    return this.#call('consumeRate', [key, rule, cost, nowMs]) as Promise<RateDecision>;
  }
  consumeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    return this.#call('consumeQuota', [key, rule, cost, nowMs]) as Promise<QuotaDecision>;
  }
  peekQuota(key: string, rule: QuotaRule, nowMs: number): Promise<QuotaDecision> {
    return this.#call('peekQuota', [key, rule, nowMs]) as Promise<QuotaDecision>;
  }
  chargeRate(key: string, rule: RateRule, cost: number, nowMs: number): Promise<RateDecision> {
    return this.#call('chargeRate', [key, rule, cost, nowMs]) as Promise<RateDecision>;
  }
  chargeQuota(key: string, rule: QuotaRule, cost: number, nowMs: number): Promise<QuotaDecision> {
    return this.#call('chargeQuota', [key, rule, cost, nowMs]) as Promise<QuotaDecision>;
  }
  acquire(key: string, max: number, ttlMs: number): Promise<boolean> {
    return this.#call('acquire', [key, max, ttlMs]) as Promise<boolean>;
  }
  async release(key: string): Promise<void> {
    await this.#call('release', [key]);
  }

  async close(): Promise<void> {
    this.#channel.off('message', this.#listener);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new CounterUnavailableError('counter store closed'));
    }
    this.#pending.clear();
  }

  #call(op: Op, args: unknown[]): Promise<unknown> {
    if (!this.#channel.connected) {
      return Promise.reject(new CounterUnavailableError('cluster primary is gone'));
    }
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new CounterUnavailableError(`cluster primary did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve, reject, timer });
      this.#channel.send({ kw: 'counter', id, op, args });
    });
  }
}

/** Where the primary sends answers: a cluster worker's handle. */
export interface ReplyChannel {
  send(message: PrimaryMessage): boolean;
  isConnected(): boolean;
}

/** The primary's side: answers one worker's counter message from `store`. Returns false if not one. */
export function answerCounterMessage(store: CounterStore, worker: ReplyChannel, msg: unknown): boolean {
  if (!isKeywayMessage(msg) || msg.kw !== 'counter') return false;
  const id = msg['id'];
  const op = msg['op'];
  const args = msg['args'];
  if (typeof id !== 'number' || !Array.isArray(args) || !OPS.includes(op as Op)) return true;
  const reply = (m: PrimaryMessage): void => {
    // The worker may have died while its request was in flight; its slots expire by ttl.
    if (worker.isConnected()) worker.send(m);
  };
  run(store, op as Op, args).then(
    (result) => reply({ kw: 'counter-reply', id, ok: true, result }),
    (err: unknown) =>
      reply({
        kw: 'counter-reply',
        id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        unavailable: err instanceof CounterUnavailableError,
      }),
  );
  return true;
}

function run(store: CounterStore, op: Op, a: unknown[]): Promise<unknown> {
  switch (op) {
    case 'consumeRate':
      return store.consumeRate(a[0] as string, a[1] as RateRule, a[2] as number, a[3] as number);
    case 'consumeQuota':
      return store.consumeQuota(a[0] as string, a[1] as QuotaRule, a[2] as number, a[3] as number);
    case 'peekQuota':
      return store.peekQuota(a[0] as string, a[1] as QuotaRule, a[2] as number);
    case 'chargeRate':
      return store.chargeRate(a[0] as string, a[1] as RateRule, a[2] as number, a[3] as number);
    case 'chargeQuota':
      return store.chargeQuota(a[0] as string, a[1] as QuotaRule, a[2] as number, a[3] as number);
    case 'acquire':
      return store.acquire(a[0] as string, a[1] as number, a[2] as number);
    case 'release':
      return store.release(a[0] as string);
  }
}
