/**
 * A bounded FIFO between the hot path and the batch writer. `push` never blocks and never grows the
 * buffer: when it is full the newest item is dropped and counted (the policy the issue asks for — a slow
 * sink must cost records, never proxy latency or memory). One array allocated up front, no shifting.
 */
export class RingBuffer<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private size = 0;
  /** Items refused because the buffer was full, since start. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): boolean {
    if (this.size === this.capacity) {
      this.dropped++;
      return false;
    }
    let i = this.head + this.size;
    if (i >= this.capacity) i -= this.capacity;
    this.items[i] = item;
    this.size++;
    return true;
  }

  /** Removes and returns up to `max` items, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.size);
    const out = new Array<T>(n);
    for (let k = 0; k < n; k++) {
      out[k] = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.size -= n;
    return out;
  }
}
