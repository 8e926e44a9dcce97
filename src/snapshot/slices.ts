/**
 * Cooperative slicing for work that would otherwise hold the proxy's event loop for seconds (compiling a
 * snapshot of thousands of routes). A step is written once, as a generator that `yield`s between units of
 * work (after a route, a service, a registered path); it can then be driven two ways:
 *  - `runNow` drives it to the end in one task: the synchronous APIs (config checks inside an admin
 *    transaction) and the first load at start-up, when nothing is served yet;
 *  - a `Slicer` drives it in slices of a couple of milliseconds and gives the event loop back between
 *    them, so proxied requests keep being answered while a reload runs.
 * Generators, rather than `await` between units, keep the synchronous variant synchronous and cost no
 * promise per unit.
 */
import { performance } from 'node:perf_hooks';

/** A step of sliceable work: yields between units, returns its result. */
export type Work<T> = Generator<void, T, void>;

/** Drives `work` to its end in one go. */
export function runNow<T>(work: Work<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done === true) return step.value;
  }
}

export interface SlicerOptions {
  /** Longest a slice may run before the event loop gets a turn (default 1 ms). */
  budgetMs?: number;
  /**
   * Units of work between two clock reads (default 1: a unit — a service, a route, a registered path — costs
   * microseconds, a clock read tens of nanoseconds; with 8, slices overran to 5–10 ms in bench/admin-load.mjs).
   */
  checkEvery?: number;
  /** The clock, in milliseconds (tests inject one). */
  now?: () => number;
  /** Gives the event loop a turn (tests inject one to count turns). */
  yieldToLoop?: () => Promise<void>;
}

/** What one run cost, for logs and for pacing the next run. */
export interface SliceStats {
  /** Slices the work was cut into. */
  slices: number;
  /** Time spent running the work, the gaps between slices excluded (ms). */
  busyMs: number;
  /** The longest single slice (ms). */
  longestMs: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Slicer {
  private readonly budgetMs: number;
  private readonly checkEvery: number;
  private readonly now: () => number;
  private readonly yieldToLoop: () => Promise<void>;
  private sliceStart: number | undefined;
  /** Cumulated over every `run` and `pause` since the last `takeStats`. */
  private stats: SliceStats = { slices: 0, busyMs: 0, longestMs: 0 };

  constructor(opts: SlicerOptions = {}) {
    this.budgetMs = opts.budgetMs ?? 1;
    this.checkEvery = Math.max(1, opts.checkEvery ?? 1);
    this.now = opts.now ?? (() => performance.now());
    this.yieldToLoop = opts.yieldToLoop ?? nextTurn;
  }

  /** Drives `work` to its end, giving the event loop a turn whenever a slice has used its budget. */
  async run<T>(work: Work<T>): Promise<T> {
    this.begin();
    let units = 0;
    try {
      for (;;) {
        const step = work.next();
        if (step.done === true) return step.value;
        if (++units % this.checkEvery === 0 && this.now() - (this.sliceStart ?? 0) >= this.budgetMs) {
          await this.turn();
        }
      }
    } finally {
      this.end();
    }
  }

  /**
   * For async code between sliced steps (reading the store page by page): gives the event loop a turn if
   * the slice has used its budget. A database driver that answers synchronously (SQLite) would otherwise
   * chain all its pages in one task through resolved promises. Work that fits in one slice never yields:
   * a small reload still completes before the admin API answers the change that caused it.
   */
  readonly pause = async (): Promise<void> => {
    this.begin();
    if (this.now() - (this.sliceStart ?? 0) >= this.budgetMs) await this.turn();
  };

  /** The cost of the work since the last call (a slice still open ends here), and starts counting afresh. */
  takeStats(): SliceStats {
    this.end();
    const s = this.stats;
    this.stats = { slices: 0, busyMs: 0, longestMs: 0 };
    return s;
  }

  private async turn(): Promise<void> {
    this.end();
    await this.yieldToLoop();
    this.begin();
  }

  private begin(): void {
    this.sliceStart ??= this.now();
  }

  private end(): void {
    if (this.sliceStart === undefined) return;
    const took = this.now() - this.sliceStart;
    this.sliceStart = undefined;
    this.stats.slices++;
    this.stats.busyMs += took;
    if (took > this.stats.longestMs) this.stats.longestMs = took;
  }
}
