/**
 * The store sink behind a spool (records/record-spool.ts). While the store takes batches, they go
 * straight to it. When it cannot (an outage: unreachable, silent past the store deadline, locked), the
 * batch goes to the spool instead, and so does every later batch while anything waits there, so the
 * store receives records in the order they were made. Every `retryMs` the oldest spooled batch is
 * offered to the store again; once one is taken, the rest follow one after another.
 *
 * What is lost is said: a batch the spool cannot hold (full, disk refusing) fails its write (the writer
 * counts and logs it), and a spooled batch the store refuses for a reason other than an outage (it would
 * never be taken) is dropped and reported through `onLost`.
 */
import { isKeywayError } from '../../core/errors.js';
import { isOutage } from '../../store/failures.js';
import { RecordBatch } from '../records/packed-batch.js';
import type { RecordSpool } from '../records/record-spool.js';
import type { RecordSink } from './sink.js';

export interface SpoolingSinkOptions {
  /** How often the store is offered the oldest spooled batch while it is away. */
  retryMs: number;
  /** The spool started or stopped holding records (for the log), and how many wait in it now. */
  onState: (state: 'spooling' | 'drained' | 'progress', records: number, reason?: string) => void;
  /** Spooled records that can never be stored (the store refused them for what they are). */
  onLost: (records: number, reason: string) => void;
}

/** Errors that mean "try again later", as opposed to "this batch will never be taken". */
export function storeAway(err: unknown): boolean {
  if (isKeywayError(err)) return err.code === 'KW_ERR_STORE_UNAVAILABLE';
  return isOutage(err);
}

/** Where the spool comes from: opened when first needed, or at once when an earlier run left records. */
export interface SpoolSource {
  open(): RecordSpool;
  leftovers: boolean;
}

export class SpoolingSink implements RecordSink {
  readonly name: string;
  readonly #store: RecordSink;
  readonly #source: SpoolSource;
  readonly #opts: SpoolingSinkOptions;
  #spool: RecordSpool | undefined;
  #timer: NodeJS.Timeout | undefined;
  #replaying: Promise<void> | undefined;
  #closed = false;

  constructor(store: RecordSink, source: SpoolSource, opts: SpoolingSinkOptions) {
    this.name = store.name;
    this.#store = store;
    this.#source = source;
    this.#opts = opts;
    // What a previous process left is written first.
    if (source.leftovers) {
      const spool = (this.#spool = source.open());
      if (!spool.empty) {
        opts.onState('spooling', spool.records, `${spool.records} records left by an earlier run`);
        this.#schedule();
      }
    }
  }

  /** Records waiting in the spool. */
  get spooled(): number {
    return this.#spool?.records ?? 0;
  }

  get #empty(): boolean {
    return this.#spool === undefined || this.#spool.empty;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (this.#empty) {
      try {
        await this.#store.write(batch);
        return;
      } catch (err) {
        if (!storeAway(err)) throw err;
        this.#opts.onState('spooling', this.spooled + batch.count, message(err));
      }
    }
    const spool = (this.#spool ??= this.#source.open());
    if (!spool.append(batch.packed)) {
      throw new Error(
        `the store is unreachable and the spool is full (${spool.bytes} bytes in ${spool.file})`,
      );
    }
    this.#schedule();
  }

  /** Offers the spooled batches to the store now (one pass: stops at the first outage). */
  async flush(): Promise<void> {
    await this.#replay();
    await this.#store.flush();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#replaying;
    // Whatever is still waiting stays in the file: the next start writes it.
    this.#spool?.close();
    await this.#store.close();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#replay().then(() => {
        if (!this.#empty) this.#schedule();
      });
    }, this.#opts.retryMs);
    this.#timer.unref();
  }

  #replay(): Promise<void> {
    this.#replaying ??= this.#drain().finally(() => (this.#replaying = undefined));
    return this.#replaying;
  }

  async #drain(): Promise<void> {
    const spool = this.#spool;
    if (spool === undefined) return;
    let moved = false;
    while (!spool.empty && !this.#closed) {
      let head;
      try {
        head = spool.peek();
      } catch (err) {
        this.#opts.onLost(spool.shift(), `unreadable spool frame: ${message(err)}`);
        continue;
      }
      if (head === undefined) break;
      try {
        await this.#store.write(new RecordBatch(head));
      } catch (err) {
        if (storeAway(err)) break;
        this.#opts.onLost(spool.shift(), message(err));
        continue;
      }
      spool.shift();
      moved = true;
      this.#opts.onState('progress', spool.records);
      // The record thread's other work (new batches, rollups) gets a turn between spooled batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (moved && spool.empty) this.#opts.onState('drained', 0);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
