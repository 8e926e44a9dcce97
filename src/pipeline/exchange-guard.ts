/**
 * The two ways an upstream exchange is cut short from outside, one mechanism for the proxy (forward.ts)
 * and the AI engine (src/ai/engine/upstream.ts): its time is up (the service's `timeout_ms`, a provider's
 * timeout), or the client went away (the request's `onClientGone`, which the data plane calls when the
 * connection closes). Either cuts the exchange once, with an error that says which (`code`), and
 * `cutBy` tells it afterwards; the subclass says how to cut (abort undici's dispatch).
 *
 * A class to extend rather than an object to hold: the proxy's dispatch handler *is* its guard, and it is
 * its own entry on the list of deadlines of its length (src/core/deadline-list.ts), so a proxied request
 * allocates nothing for its timeout.
 */
import { deadlineList, type DeadlineList, type Timed } from '../core/deadline-list.js';

/** The exchange's time is up. */
export class ExchangeTimeoutError extends Error {
  readonly code = 'KW_TOTAL_TIMEOUT';
}

/** The client closed its connection: there is nobody left to answer. */
export class ClientGoneError extends Error {
  readonly code = 'KW_CLIENT_GONE';
  constructor() {
    super('the client closed the connection');
  }
}

export abstract class ExchangeGuard implements Timed {
  /** Why the exchange was cut short, once it was. */
  cutBy: 'timeout' | 'client' | undefined = undefined;
  /** The bound (ms) the timer was armed with; 0: none. */
  readonly timeoutMs: number;
  // The deadline's links (Timed): on the list of `timeoutMs` deadlines while armed.
  timedList: DeadlineList | undefined = undefined;
  timedPrev: Timed | undefined = undefined;
  timedNext: Timed | undefined = undefined;
  timedAt = 0;
  /** Listener for the client going away: `ctx.onClientGone`, or a call's cancellation (the AI engine). */
  protected readonly clientGone = (): void => {
    if (this.cutBy === undefined && this.stillWanted()) this.cutShort('client', new ClientGoneError());
  };

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    if (timeoutMs > 0) deadlineList(timeoutMs).add(this);
  }

  /** The deadline passed (DeadlineList). */
  onDeadline(): void {
    this.cutShort('timeout', new ExchangeTimeoutError(`no complete answer within ${this.timeoutMs} ms`));
  }

  /** Aborts the exchange with `err`. */
  protected abstract cut(err: Error): void;

  /** Whether a client leaving still matters (the answer is not complete yet). */
  protected stillWanted(): boolean {
    return true;
  }

  /** Stops the timer (the exchange finished, or a stream started and has an idle bound instead). */
  disarm(): void {
    this.timedList?.remove(this);
  }

  private cutShort(why: 'timeout' | 'client', err: Error): void {
    if (this.cutBy !== undefined) return;
    this.cutBy = why;
    this.cut(err);
  }
}
