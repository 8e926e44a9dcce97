/**
 * The enabled alert rules, held in memory for the parts that must decide without a query: the quota
 * plugin asks on every call which percents anyone wants told (quota-alerts.ts), the record batches ask
 * whether any rule watches networks (network-alerts.ts). Reloaded every `refreshMs` (rules created on
 * another node of the store arrive within it) and at once when this node's admin API changes a rule.
 */
import type { AlertRule, AlertRuleStore } from './alert-rules.js';

export type ActiveRule = AlertRule & { secret: string };

export interface ActiveRulesOptions {
  refreshMs: number;
  onError?: (err: unknown) => void;
}

export class ActiveRules {
  #list: readonly ActiveRule[] = [];
  readonly #listeners: Array<(rules: readonly ActiveRule[]) => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly rules: AlertRuleStore,
    private readonly opts: ActiveRulesOptions,
  ) {
    // A failed reload must not fail the admin call that created the rule: the timer loads it again.
    rules.onChange(() => this.refresh().catch((e: unknown) => this.opts.onError?.(e)));
  }

  /** Loads now and then every `refreshMs`; resolves once the first load is done. */
  async start(): Promise<void> {
    this.#timer = setInterval(
      () => void this.refresh().catch((e: unknown) => this.opts.onError?.(e)),
      this.opts.refreshMs,
    );
    this.#timer.unref();
    await this.refresh().catch((e: unknown) => this.opts.onError?.(e));
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The rules as of the last load (with their webhook secrets). */
  get list(): readonly ActiveRule[] {
    return this.#list;
  }

  /** Called with the rules after every load, and now with the current ones. */
  subscribe(listener: (rules: readonly ActiveRule[]) => void): void {
    this.#listeners.push(listener);
    listener(this.#list);
  }

  /**
   * Reloads. Loads run one after another, so one asked for after a change reads it, and an older load
   * can never finish last and put back what the change removed.
   */
  refresh(): Promise<void> {
    const next = this.#chain.catch(() => undefined).then(() => this.load());
    this.#chain = next;
    return next;
  }

  private async load(): Promise<void> {
    this.#list = await this.rules.active();
    for (const l of this.#listeners) l(this.#list);
  }
}
