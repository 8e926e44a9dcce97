/**
 * Moves packed batches from the record buffer to where records go, off the request path: on a timer, or
 * as soon as a full batch is waiting. Most sinks run on the record thread (record-thread.ts); the few that
 * must run on this thread (stdout, which belongs to the process's main thread) get the batch unpacked
 * here. The writer awaits each batch before taking the next, so a slow sink pushes back on the buffer,
 * which drops and counts — it never slows the proxy. `close()` writes everything left before the node
 * lets its store go: a graceful restart loses nothing.
 */
import type { RecordSink } from '../sinks/sink.js';
import { RecordBatch, type PackedBatch } from './packed-batch.js';
import type { RecordBuffer } from './record-buffer.js';
import type { SinkOutcome } from './record-thread-entry.js';

/** Where batches go: the record thread, and sinks that run on this thread. */
export interface RecordDestinations {
  thread?: {
    write(batch: PackedBatch): Promise<SinkOutcome[]>;
    flush(): Promise<void>;
    close(): Promise<void>;
  };
  local?: readonly RecordSink[];
}

export interface RecordWriterOptions {
  flushIntervalMs: number;
  onSinkError: (sink: string, err: unknown, lost: number) => void;
  /** Records the full buffer refused since the last report (told at most once per flush interval). */
  onDropped?: (dropped: number) => void;
}

export class RecordWriter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kicked = false;
  private droppedTold = 0;
  private readonly local: readonly RecordSink[];
  /** Records a sink took, summed over sinks. */
  written = 0;
  /** Records a sink lost, summed over sinks. */
  failed = 0;

  constructor(
    private readonly buffer: RecordBuffer,
    private readonly to: RecordDestinations,
    private readonly opts: RecordWriterOptions,
  ) {
    this.local = to.local ?? [];
  }

  start(): void {
    this.timer = setInterval(() => void this.drain(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * A full batch is waiting: write it on the next turn of the event loop rather than at the next tick.
   * Such a run writes full batches only. Sealing the open batch too, as every run once did, sized the
   * batches by the record thread's round trip instead of the batch size: under the bench's load they held
   * 606 records on average instead of 2,000, and each batch costs the record thread a transaction, a
   * wake-up and a reply. Shipping full batches took its CPU from 3.7 to 1.6 µs a call (per-thread CPU
   * from /proc); the timer and `flush()` still seal a partial batch.
   */
  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      void this.write(false);
    });
  }

  /** Writes everything the buffer holds now, the open batch too; concurrent calls share one run. */
  drain(): Promise<void> {
    const dropped = this.buffer.dropped;
    if (dropped > this.droppedTold) {
      this.opts.onDropped?.(dropped - this.droppedTold);
      this.droppedTold = dropped;
    }
    return this.write(true);
  }

  private write(partial: boolean): Promise<void> {
    this.running ??= this.run(partial).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(partial: boolean): Promise<void> {
    for (let batch = this.buffer.take(partial); batch !== undefined; batch = this.buffer.take(partial)) {
      const count = batch.count;
      const writes: Array<Promise<SinkOutcome[]>> = [];
      if (this.local.length > 0) {
        // Unpacked before the thread gets the batch: posting it transfers (empties) its arrays.
        const local = new RecordBatch(batch);
        local.records();
        for (const s of this.local) {
          writes.push(
            s.write(local).then(
              () => [{ sink: s.name }],
              (err: unknown) => [{ sink: s.name, error: err instanceof Error ? err.message : String(err) }],
            ),
          );
        }
      }
      const thread = this.to.thread;
      if (thread !== undefined) {
        writes.push(
          thread
            .write(batch)
            .catch((err: unknown) => [
              { sink: 'record thread', error: err instanceof Error ? err.message : String(err) },
            ]),
        );
      }
      for (const outcomes of await Promise.all(writes)) {
        for (const o of outcomes) {
          if (o.error === undefined) this.written += count;
          else {
            this.failed += count;
            this.opts.onSinkError(o.sink, new Error(o.error), count);
          }
        }
      }
      // The event loop gets a turn between batches, so a backlog never holds the proxy for long.
      if (this.buffer.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Everything buffered is written, every sink has flushed and the rollups so far are stored. */
  async flush(): Promise<void> {
    await this.running;
    await this.drain();
    await Promise.all([
      this.to.thread?.flush().catch(() => undefined),
      ...this.local.map((s) => s.flush().catch(() => undefined)),
    ]);
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
    await Promise.all([
      this.to.thread?.close().catch(() => undefined),
      ...this.local.map((s) => s.close().catch(() => undefined)),
    ]);
  }
}
