/**
 * The cardinality guard of the opt-in `consumer` metric label (KEYWAY_METRICS_CONSUMER_LABEL): every series
 * with that label multiplies by the number of consumers, and a Prometheus server pays for each one. The first
 * `limit` distinct consumers (per node, a workspace's `acme` and another's counted apart) keep their own
 * value; every consumer seen after the cap is reached is folded into `other`, and each call folded that way
 * is counted, so an operator sees the cap is too low instead of silently losing the breakdown.
 *
 * A consumer admitted stays admitted for the process's life (its series exist already; dropping them would
 * make counters go backwards). Calls with no identified consumer carry `consumer=""` and use no room.
 */

/** The label value of consumers beyond the cap. */
export const OTHER_CONSUMERS = 'other';

export class ConsumerLabels {
  private readonly admitted = new Map<string, Set<string>>();
  private size = 0;
  /** Calls whose consumer was folded into `other`. */
  folded = 0;

  constructor(readonly limit: number) {}

  /** Distinct consumers holding a value of their own. */
  get distinct(): number {
    return this.size;
  }

  /**
   * The label value for a call of `consumer` in `workspace`: its name, or `other` (counted) once the cap
   * is reached. Callers cache the answer for an admitted consumer and ask again for a folded one, so that
   * every folded call is counted.
   */
  label(workspace: string, consumer: string): string {
    if (consumer === '') return '';
    let names = this.admitted.get(workspace);
    if (names?.has(consumer) === true) return consumer;
    if (this.size >= this.limit) {
      this.folded++;
      return OTHER_CONSUMERS;
    }
    if (names === undefined) {
      names = new Set();
      this.admitted.set(workspace, names);
    }
    names.add(consumer);
    this.size++;
    return consumer;
  }
}
