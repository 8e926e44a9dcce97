/**
 * The proxy thread's side of the record thread (record-thread-entry.ts): posts packed batches (their
 * arrays transferred, not copied) and flush/close requests, and resolves each when the thread answers.
 * An idle thread never keeps a stopping node alive; one with a batch in hand does, until it is written.
 */
import { Worker } from 'node:worker_threads';
import { transferList, type PackedArrays, type PackedBatch } from './packed-batch.js';
import type { RecordThreadSettings, SinkOutcome, ThreadReply, ThreadRequest } from './record-thread-entry.js';

type Pending = { resolve: (outcomes: SinkOutcome[]) => void; reject: (e: Error) => void };

/** What the thread tells besides its answers: the spool's state, and records lost after the fact. */
export interface RecordThreadEvents {
  spool?: (state: 'spooling' | 'drained' | 'progress', records: number, reason?: string) => void;
  lost?: (count: number, error: string) => void;
}

export class RecordThread {
  private readonly worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private exited: Error | undefined;
  /** Records waiting in the thread's spool, as of its last word. */
  spooled = 0;

  constructor(
    settings: RecordThreadSettings,
    onWarn: (msg: string, error: string) => void,
    onSpent?: (arrays: PackedArrays) => void,
    events: RecordThreadEvents = {},
  ) {
    this.worker = new Worker(new URL('./record-thread-entry.js', import.meta.url), {
      workerData: settings,
      // Its garbage is one batch at a time: a small young generation keeps the thread's heap at a few MB
      // (V8 grows it to 16 MB per semi-space under allocation; idle node RSS 124 → 100 MB, measured).
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'warn') {
        onWarn(reply.msg, reply.error);
        return;
      }
      if (reply.type === 'spool') {
        this.spooled = reply.records;
        events.spool?.(reply.state, reply.records, reply.reason);
        return;
      }
      if (reply.type === 'lost') {
        events.lost?.(reply.count, reply.error);
        return;
      }
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.type === 'done') {
        if (reply.spooled !== undefined) this.spooled = reply.spooled;
        if (reply.spent !== undefined) onSpent?.(reply.spent);
        p?.resolve(reply.outcomes);
      } else p?.reject(new Error(reply.error));
    });
    const fail = (err: Error): void => {
      this.exited ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('record thread exited')));
    this.worker.unref();
  }

  /** Writes a batch to the thread's sinks; the batch's arrays are gone from this thread afterwards. */
  write(batch: PackedBatch): Promise<SinkOutcome[]> {
    return this.send({ type: 'batch', id: ++this.seq, batch }, transferList(batch));
  }

  /** Resolves once every batch posted before is written and the rollups folded so far are stored. */
  async flush(): Promise<void> {
    await this.send({ type: 'flush', id: ++this.seq });
  }

  async close(): Promise<void> {
    await this.send({ type: 'close', id: ++this.seq }).catch(() => undefined);
    await this.worker.terminate();
  }

  private send(msg: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<SinkOutcome[]> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      // Referenced while a request is in flight: a shutdown awaiting the last batch must not exit under it.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }
}
