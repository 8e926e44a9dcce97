/**
 * The small latency histogram each rollup row carries: 16 fixed buckets, stored as columns h0…h15 so
 * that rows from several nodes and minutes add up with SQL `+` (an upsert) and percentiles of any
 * window come from summed columns. Bounds are log-spaced (1-2-5): a p99 read from them is within one
 * bucket of the truth, which is what a dashboard and an alert need.
 */

/** Upper bounds in ms of h0…h14; h15 is everything above 60 s. */
export const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];
export const BUCKETS = BOUNDS.length + 1;
export const BUCKET_COLUMNS = Array.from({ length: BUCKETS }, (_, i) => `h${i}`) as readonly string[];

export function bucketOf(ms: number): number {
  for (let i = 0; i < BOUNDS.length; i++) if (ms <= BOUNDS[i]) return i;
  return BOUNDS.length;
}

/**
 * The q-quantile (0..1) of a histogram, interpolated linearly inside the bucket it falls in (as
 * Prometheus' histogram_quantile does). Null for an empty histogram.
 */
export function quantile(counts: readonly number[], q: number): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (seen + c >= rank && c > 0) {
      const lower = i === 0 ? 0 : BOUNDS[i - 1];
      const upper = i < BOUNDS.length ? BOUNDS[i] : lower * 2;
      return round(lower + ((upper - lower) * (rank - seen)) / c);
    }
    seen += c;
  }
  return round(BOUNDS[BOUNDS.length - 1]);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
