/**
 * Between the hot path and the record writer: each record is packed into the open batch as it arrives
 * (packed-batch.ts), full batches wait in a queue for the writer. `push` never blocks and never grows
 * past `capacity` records: beyond it the newest record is dropped and counted (the policy the issue asks
 * for — a slow sink must cost records, never proxy latency or memory).
 */
import type { CallRecord } from './call-record.js';
import { BatchPacker, type PackedArrays, type PackedBatch } from './packed-batch.js';

/** Spent arrays kept for the next batches: enough for the batches in flight at once. */
const SPARE = 4;

/**
 * Where the call observer hands each record. `r` is the observer's own object, filled again for the next
 * call: an intake copies what it keeps.
 */
export interface RecordIntake {
  push(r: Readonly<CallRecord>): boolean;
  /** Records waiting to be written (the body capture's backlog bound reads it). */
  readonly length: number;
}

export interface RecordBufferOptions {
  /** Records held at most, waiting batches and the open one together. */
  capacity: number;
  batchSize: number;
  /** A batch is full: the writer need not wait for its timer. */
  onBatchReady?: () => void;
  /** Sees every record kept, synchronously, before it is packed (alert windows). Must not throw. */
  tap?: (r: Readonly<CallRecord>) => void;
}

export class RecordBuffer implements RecordIntake {
  private open: BatchPacker;
  private readonly ready: PackedBatch[] = [];
  private readonly spare: PackedArrays[] = [];
  private waiting = 0;
  /** Records refused because the buffer was full, since start. */
  dropped = 0;

  constructor(private readonly opts: RecordBufferOptions) {
    this.open = new BatchPacker(opts.batchSize);
  }

  get length(): number {
    return this.waiting + this.open.count;
  }

  push(r: Readonly<CallRecord>): boolean {
    if (this.waiting + this.open.count >= this.opts.capacity) {
      this.dropped++;
      return false;
    }
    this.opts.tap?.(r);
    this.open.add(r);
    if (this.open.full) {
      this.sealOpen();
      this.opts.onBatchReady?.();
    }
    return true;
  }

  /** Arrays of a batch the record thread is done with, to pack a later batch into. */
  recycle(arrays: PackedArrays): void {
    if (this.spare.length < SPARE) this.spare.push(arrays);
  }

  /**
   * The oldest full batch; with `partial`, the open one when no full batch waits (sealed early).
   * Undefined when there is none.
   */
  take(partial: boolean): PackedBatch | undefined {
    if (partial && this.ready.length === 0 && this.open.count > 0) this.sealOpen();
    const b = this.ready.shift();
    if (b !== undefined) this.waiting -= b.count;
    return b;
  }

  private sealOpen(): void {
    const b = this.open.seal();
    this.ready.push(b);
    this.waiting += b.count;
    this.open = new BatchPacker(this.opts.batchSize, this.spare.pop());
  }
}
