/**
 * A counter and a histogram for the per-request metrics, registered in a prom-client registry (which
 * still formats every scrape) but updated with plain additions on a series object resolved once per route.
 *
 * Why not prom-client's own: even through a child made by `labels()`, each `inc`/`observe` re-validates
 * the labels, builds the label hash string and looks it up — five times a request here. With those five
 * calls the bench's `keyway-logging` scenario measured 0.89× the bare route with metrics alone on
 * (`node bench/run.mjs --only keyway,keyway-logging`, metrics-only variant); with these series the
 * metrics cost is a handful of additions.
 *
 * A histogram may observe in a unit of its own and expose in Prometheus' base unit: the data plane times calls
 * in milliseconds and the metric is in seconds (`_seconds`, as Prometheus' naming rules ask). The bounds are
 * kept in the observed unit, so a call costs the same comparisons as before; the conversion (`le` labels and
 * `_sum` divided by `scale`) happens once per scrape.
 */
import type client from 'prom-client';

type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

/** One labelled counter series: add to `value`. */
export interface CounterSeries {
  value: number;
}

/** One labelled histogram series: `observe()`; counts per bucket, sum and count. */
export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

abstract class HotMetric<S> {
  private readonly series = new Map<string, { labels: Labels; series: S }>();
  protected constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: client.Registry,
  ) {
    // The registry only asks a metric for its name, help, type and values (get / getForPromString).
    registry.registerMetric(this as unknown as client.Metric);
  }

  /** The series of these label values (made once; keep it). */
  labels(labels: Labels): S {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, series: this.make() };
      this.series.set(key, entry);
    }
    return entry.series;
  }

  protected abstract make(): S;
  protected abstract values(labels: Labels, series: S): MetricValue[];
  abstract readonly type: 'counter' | 'histogram';

  getForPromString(): MetricData {
    const values: MetricValue[] = [];
    for (const { labels, series } of this.series.values()) values.push(...this.values(labels, series));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  /** The JSON shape (`registry.getMetricsAsJSON()`): shared labels folded into each value's labels. */
  get(): MetricData {
    const data = this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return data;
  }

  reset(): void {
    this.series.clear();
  }
}

export class HotCounter extends HotMetric<CounterSeries> {
  readonly type = 'counter';
  constructor(opts: {
    name: string;
    help: string;
    labelNames: readonly string[];
    registry: client.Registry;
  }) {
    super(opts.name, opts.help, opts.labelNames, opts.registry);
  }
  protected make(): CounterSeries {
    return { value: 0 };
  }
  protected values(labels: Labels, series: CounterSeries): MetricValue[] {
    return [{ value: series.value, labels: { ...labels } }];
  }
}

export class HotHistogram extends HotMetric<HistogramSeries> {
  readonly type = 'histogram';
  /** Upper bounds in the observed unit. */
  private readonly buckets: readonly number[];
  /** The same bounds in the exposed unit (the `le` labels). */
  private readonly exposed: readonly number[];
  private readonly scale: number;
  constructor(opts: {
    name: string;
    help: string;
    labelNames: readonly string[];
    /** Upper bounds, in the unit `observe` is given. */
    buckets: readonly number[];
    /** Observed units per exposed unit (1000: observed in ms, exposed in seconds); default 1. */
    scale?: number;
    registry: client.Registry;
  }) {
    super(opts.name, opts.help, opts.labelNames, opts.registry);
    this.buckets = [...opts.buckets].sort((a, b) => a - b);
    const scale = opts.scale ?? 1;
    this.scale = scale;
    // Dividing the observed bound gives the double nearest the decimal (25 / 1000 prints as 0.025).
    this.exposed = this.buckets.map((b) => (scale === 1 ? b : b / scale));
  }
  protected make(): HistogramSeries {
    return new HistogramSeries(this.buckets);
  }
  protected values(labels: Labels, s: HistogramSeries): MetricValue[] {
    // Prometheus' exposition: cumulative buckets, then +Inf (= count), _sum and _count.
    const bucket = `${this.name}_bucket`;
    const out: MetricValue[] = [];
    let acc = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      acc += s.counts[i];
      out.push({ value: acc, labels: { le: this.exposed[i] }, sharedLabels: labels, metricName: bucket });
    }
    const sum = this.scale === 1 ? s.sum : s.sum / this.scale;
    out.push(
      { value: s.count, labels: { le: '+Inf' }, sharedLabels: labels, metricName: bucket },
      { value: sum, labels: {}, sharedLabels: labels, metricName: `${this.name}_sum` },
      { value: s.count, labels: {}, sharedLabels: labels, metricName: `${this.name}_count` },
    );
    return out;
  }
}
