/**
 * The store sink on SQLite: batches go to a worker thread (sqlite-record-worker.ts) as one JSON string
 * of row tuples — JSON.stringify measured 0.65 µs a record, about a seventh of inserting it here.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { toTuple, type CallRecord } from '../call-record.js';
import type { RecordSink } from '../sinks/sink.js';
import type { WorkerReply, WorkerRequest } from './sqlite-record-worker.js';

export class SqliteRecordSink implements RecordSink {
  readonly name = 'store';
  private readonly worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;

  constructor(dataDir: string) {
    this.worker = new Worker(new URL('./sqlite-record-worker.js', import.meta.url), {
      workerData: { file: join(dataDir, 'keyway.db') },
    });
    this.worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) p?.resolve();
      else p?.reject(new Error(reply.error));
    });
    const fail = (err: Error): void => {
      this.exited = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('record writer thread exited')));
    // An idle worker must not keep a stopping node alive; one with a batch in hand must (see send).
    this.worker.unref();
  }

  private send(msg: WorkerRequest): Promise<void> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      // Referenced while a batch is in flight: a shutdown awaiting the last batch must not exit under it.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg);
    });
  }

  write(batch: readonly CallRecord[]): Promise<void> {
    const rows = new Array<unknown[]>(batch.length);
    for (let i = 0; i < batch.length; i++) rows[i] = toTuple(batch[i]);
    return this.send({ type: 'write', id: ++this.seq, rows: JSON.stringify(rows) });
  }

  /** Each write resolves only once committed, so there is nothing more to wait for. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.send({ type: 'close', id: ++this.seq }).catch(() => undefined);
    await this.worker.terminate();
  }
}
