/**
 * The node's components in one list: each is started in order and registered with how it closes, and
 * they close in the reverse order, so what starts later (and uses what started before it) is gone
 * before what it uses. One sequence serves both ways down: a start that fails part-way closes what had
 * started (at once, errors swallowed: the start error is the one to report), and `stop()` (SIGTERM,
 * SIGINT, tests) closes everything with the drain deadline.
 */

/** How a close is asked for: a stop after a full start drains; a failed start does not wait. */
export interface Shutdown {
  /** How long the proxy lets in-flight requests finish. */
  readonly drainMs: number;
}

interface Component {
  readonly name: string;
  readonly close: (how: Shutdown) => unknown;
}

export class Lifecycle {
  readonly #components: Component[] = [];
  #stopping: Promise<void> | undefined;

  /** Starts one component and registers how it closes; a start that throws registers nothing. */
  async start<T>(
    name: string,
    start: () => T | Promise<T>,
    close: (value: T, how: Shutdown) => unknown,
  ): Promise<T> {
    const value = await start();
    this.#components.push({ name, close: (how) => close(value, how) });
    return value;
  }

  /** Registers something already made (a closure's undo) to close in its place in the order. */
  add(name: string, close: (how: Shutdown) => unknown): void {
    this.#components.push({ name, close });
  }

  /** Closes every component in reverse order; the first error is thrown once all were tried. */
  stop(how: Shutdown): Promise<void> {
    this.#stopping ??= (async () => {
      let failed: Error | undefined;
      for (const c of this.#components.toReversed()) {
        try {
          await c.close(how);
        } catch (err) {
          // The first failure is the one reported, naming its component; the rest still close.
          failed ??= new Error(
            `closing ${c.name} failed: ${err instanceof Error ? err.message : String(err)}`,
            {
              cause: err,
            },
          );
        }
      }
      if (failed !== undefined) throw failed;
    })();
    return this.#stopping;
  }

  /** After a failed start: closes what started without waiting, and never throws over the start error. */
  async abandon(): Promise<void> {
    await this.stop({ drainMs: 0 }).catch(() => undefined);
  }
}
