/**
 * What the proxy listeners log by themselves — requests the parser refused, connections shed under pressure —
 * through a budget, so a flood of garbage cannot flood the log too.
 */

/** The part of a logger the listeners use (a pino logger fits). */
export interface ProxyLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** At most `perWindow` lines per window; what is left out is counted in one line when the next window opens. */
export class LogBudget {
  private windowStart = 0;
  private used = 0;
  private skipped = 0;

  constructor(
    private readonly log: ProxyLog,
    private readonly what: string,
    private readonly perWindow = 50,
    private readonly windowMs = 10_000,
  ) {}

  info(obj: object, msg: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.skipped > 0)
        this.log.info(
          { not_logged: this.skipped, window_ms: this.windowMs },
          `${this.what}: more than ${this.perWindow} in ${this.windowMs / 1000} s, the rest not logged`,
        );
      this.windowStart = now;
      this.used = 0;
      this.skipped = 0;
    }
    if (this.used < this.perWindow) {
      this.used++;
      this.log.info(obj, msg);
    } else this.skipped++;
  }
}
