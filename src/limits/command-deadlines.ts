/**
 * Deadlines for Redis commands that count only the time this process could have read an answer.
 *
 * ioredis' own `commandTimeout` is a timer per command, and timers run before I/O in Node's event loop:
 * after a stall of our own (a big config apply held the thread for 300 ms), every timer that came due
 * fires first and rejects its command, although Redis answered long ago and the answer is waiting in
 * the socket. With Redis healthy, `fail_closed` limits answered 503 to 6 of 2,152 requests that way.
 *
 * Here one sweeper per store checks the commands in flight every `timeoutMs / 5` (at least 5, at most
 * 50 ms). A sweep that runs late by more than half its period saw a stall: the stalled time is not
 * counted against any command, and nothing expires in that sweep — the loop reads the socket before the
 * next one, so an answer that arrived meanwhile settles its command first. A command expires once it
 * has waited `timeoutMs` of time the loop was free to read. One timer for all commands instead of one
 * each also takes a timer allocation and a timer-list insertion off every limited request.
 */
import type { Command } from 'ioredis';

/** A sweep later than this fraction of its period means the thread was held. */
const STALL_FRACTION = 0.5;
/** With nothing in flight for this long, the sweeper stops (the next command starts it again). */
const IDLE_STOP_MS = 1_000;

export class CommandDeadlines {
  readonly #timeoutMs: number;
  readonly #periodMs: number;
  /** In flight, oldest first: the commands and when each was sent, on the stall-free clock. */
  #commands: Command[] = [];
  #sent: number[] = [];
  #head = 0;
  /** Milliseconds of stall seen so far; `performance.now() - #stalled` is the stall-free clock. */
  #stalled = 0;
  #lastSweep = 0;
  #idleSince = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Commands rejected by their deadline, since start. */
  expired = 0;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#periodMs = Math.min(50, Math.max(5, Math.round(timeoutMs / 5)));
  }

  /** Starts `cmd`'s deadline (call right after sending it). */
  watch(cmd: Command): void {
    this.#commands.push(cmd);
    this.#sent.push(performance.now() - this.#stalled);
    if (this.#timer === undefined) {
      this.#lastSweep = performance.now();
      this.#idleSince = 0;
      this.#timer = setInterval(() => this.#sweep(), this.#periodMs);
      // Deadlines never keep a stopping process alive: the connection's close rejects what is left.
      this.#timer.unref();
    }
  }

  /** The error an expired command is rejected with. */
  timeoutError(): Error {
    return new Error(`no answer within ${this.#timeoutMs} ms`);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#commands = [];
    this.#sent = [];
    this.#head = 0;
  }

  #sweep(): void {
    const now = performance.now();
    const late = now - this.#lastSweep - this.#periodMs;
    this.#lastSweep = now;
    if (late > this.#periodMs * STALL_FRACTION) {
      this.#stalled += late;
      return;
    }
    const due = now - this.#stalled - this.#timeoutMs;
    const commands = this.#commands;
    let head = this.#head;
    while (head < commands.length) {
      const cmd = commands[head];
      if (cmd !== undefined && !cmd.isResolved) {
        if ((this.#sent[head] ?? 0) > due) break;
        this.expired++;
        // A command already rejected (its connection closed) ignores a second rejection.
        cmd.reject(this.timeoutError());
      }
      commands[head] = undefined as unknown as Command;
      head++;
    }
    if (head === commands.length) {
      commands.length = 0;
      this.#sent.length = 0;
      this.#head = 0;
      this.#idleSince ||= now;
      if (now - this.#idleSince >= IDLE_STOP_MS) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
      return;
    }
    this.#idleSince = 0;
    // Drop the settled front now and then rather than shifting on every sweep.
    if (head > 1024 && head * 2 > commands.length) {
      this.#commands = commands.slice(head);
      this.#sent = this.#sent.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}
