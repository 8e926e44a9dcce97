/**
 * A one-shot cancellation for the AI call path: the caller's connection closing, an exchange timing out.
 *
 * Node 20's AbortController is an EventTarget: making one and adding and removing a listener measured
 * 4.9 µs a call (hot loop; far more between requests, when the process wakes up cold), and an AI call needs
 * two (the caller, each exchange). This keeps the one thing the engine uses — abort once, with a reason,
 * tell whoever listens — in a field and an array.
 */
export class Cancellation {
  #aborted = false;
  #reason: Error | undefined = undefined;
  #listeners: Array<(reason: Error) => void> | undefined = undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why it was cancelled: set exactly when `aborted` is true. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  /** Cancels, once: later calls change nothing. Listeners run synchronously, in the order they came. */
  abort(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const fn of listeners) fn(reason);
  }

  /** Calls `fn` once on cancellation (at once if already cancelled). */
  onAbort(fn: (reason: Error) => void): void {
    if (this.#aborted) {
      fn(this.#reason as Error);
      return;
    }
    (this.#listeners ??= []).push(fn);
  }

  offAbort(fn: (reason: Error) => void): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const i = listeners.indexOf(fn);
    if (i !== -1) listeners.splice(i, 1);
  }
}
