/**
 * Weighted choice among an alias's targets: smooth weighted round-robin (nginx's algorithm), so the split
 * is exact over every window of `totalWeight` calls and interleaved (weights 3:1 give a a b a, not a a a b)
 * rather than random. Targets that cannot serve right now (every key cooling, already tried in this call)
 * are left out of one pick without disturbing the others' shares.
 */
export class WeightedPicker {
  private readonly weights: readonly number[];
  private readonly current: number[];

  constructor(weights: readonly number[]) {
    this.weights = weights;
    this.current = weights.map(() => 0);
  }

  /** Index of the chosen target among those `eligible`, or -1 when none is (or all weigh 0). */
  pick(eligible: (index: number) => boolean): number {
    let best = -1;
    let total = 0;
    const w = this.weights;
    const cur = this.current;
    for (let i = 0; i < w.length; i++) {
      if (w[i] <= 0 || !eligible(i)) continue;
      cur[i] += w[i];
      total += w[i];
      if (best === -1 || cur[i] > cur[best]) best = i;
    }
    if (best !== -1) cur[best] -= total;
    return best;
  }
}
