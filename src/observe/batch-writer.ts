/**
 * Moves call records from the ring to the sinks, off the request path: on a timer, or as soon as a full
 * batch is waiting. Batches are bounded (`batchSize`) and the event loop gets a turn between them, so a
 * backlog never stalls the proxy for long. `close()` writes everything left before the node lets its
 * store go: a graceful restart loses nothing.
 */
import type { CallRecord } from './call-record.js';
import type { RingBuffer } from './ring-buffer.js';
import type { RecordSink } from './sinks/sink.js';

export interface BatchWriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Sees every batch before the sinks (rollups, alert counters). Must not throw. */
  onBatch?: (batch: readonly CallRecord[]) => void;
  onSinkError: (sink: string, err: unknown, lost: number) => void;
}

export class BatchWriter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kicked = false;
  written = 0;
  failed = 0;

  constructor(
    private readonly ring: RingBuffer<CallRecord>,
    private readonly sinks: readonly RecordSink[],
    private readonly opts: BatchWriterOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.drain(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  /** A full batch is waiting: write it on the next turn of the event loop rather than at the next tick. */
  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      void this.drain();
    });
  }

  /** Writes what the ring holds now; concurrent calls share one run. */
  drain(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    while (this.ring.length > 0) {
      const batch = this.ring.take(this.opts.batchSize);
      this.opts.onBatch?.(batch);
      await Promise.all(
        this.sinks.map((s) =>
          s.write(batch).then(
            () => {
              this.written += batch.length;
            },
            (err: unknown) => {
              this.failed += batch.length;
              this.opts.onSinkError(s.name, err, batch.length);
            },
          ),
        ),
      );
      if (this.ring.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Everything buffered is written and every sink has flushed. */
  async flush(): Promise<void> {
    await this.running;
    await this.drain();
    await Promise.all(this.sinks.map((s) => s.flush().catch(() => undefined)));
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
    await Promise.all(this.sinks.map((s) => s.close().catch(() => undefined)));
  }
}
