/**
 * Checks on a `/metrics` scrape and on the PromQL that reads it: Prometheus' naming conventions
 * (prometheus.io/docs/practices/naming, the exposition format's rules for HELP, TYPE and label names) and the
 * metric names and label matchers of an expression, for the Grafana dashboard's test.
 */
import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';

export type { PromFamily };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface Scrape {
  families: PromFamily[];
  byName: Map<string, PromFamily>;
  /** Every sample family as written: a histogram `x` is `x_bucket`, `x_sum` and `x_count` here. */
  raw: PromFamily[];
}

/**
 * Parses a scrape. parse-prometheus-text-format (1.1.1) merges all the series of a labelled histogram into
 * one set of buckets without labels (its `flattenMetrics` expects a histogram without labels), so histograms
 * are read a second time as untyped samples — `x_bucket`, `x_sum`, `x_count` with their labels, parsed by the
 * same parser — and rebuilt one series per label set.
 */
export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const raw = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  // A histogram's series come bucket, sum and count in turn: the parser sees each run as a family of its own.
  const samplesOf = (name: string): PromSample[] =>
    raw.filter((f) => f.name === name).flatMap((f) => f.metrics);
  for (const f of families) {
    if (f.type !== 'HISTOGRAM') continue;
    const series = new Map<string, PromSample>();
    const of = (labels: Record<string, string> = {}): PromSample => {
      const { le: _le, ...rest } = labels;
      const key = labelKey(rest);
      let s = series.get(key);
      if (s === undefined) {
        s = { labels: rest, buckets: {} };
        series.set(key, s);
      }
      return s;
    };
    for (const m of samplesOf(`${f.name}_bucket`)) {
      const s = of(m.labels);
      if (s.buckets !== undefined) s.buckets[m.labels?.['le'] ?? ''] = m.value ?? '';
    }
    for (const m of samplesOf(`${f.name}_sum`)) of(m.labels).sum = m.value;
    for (const m of samplesOf(`${f.name}_count`)) of(m.labels).count = m.value;
    f.metrics = [...series.values()];
  }
  return { families, byName: new Map(families.map((f) => [f.name, f])), raw };
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every convention a family breaks, as readable lines (empty: all kept). */
export function conventionProblems(text: string, scrape: Scrape): string[] {
  const problems: string[] = [];
  const helped = new Set([...text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1]));
  const typed = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
  const names = new Set<string>();
  for (const f of scrape.families) {
    const n = f.name;
    if (names.has(n)) problems.push(`${n}: family declared twice`);
    names.add(n);
    if (!METRIC_NAME.test(n)) problems.push(`${n}: not a valid metric name`);
    if (!n.startsWith('keyway_')) problems.push(`${n}: no keyway_ prefix`);
    if (!helped.has(n)) problems.push(`${n}: no HELP`);
    if (!typed.has(n)) problems.push(`${n}: no TYPE`);
    if (f.type === 'UNTYPED') problems.push(`${n}: untyped`);
    if (f.type === 'COUNTER' && !n.endsWith('_total')) problems.push(`${n}: a counter not ending in _total`);
    // prom-client's Node.js runtime gauges keep the names Node dashboards know (`nodejs_active_handles_total`).
    if (f.type !== 'COUNTER' && n.endsWith('_total') && !n.startsWith('keyway_nodejs_'))
      problems.push(`${n}: a ${f.type} ending in _total`);
    if (f.type === 'HISTOGRAM' && !/_(seconds|bytes)$/.test(n))
      problems.push(`${n}: a histogram not in _seconds or _bytes`);
    if (/_(ms|milliseconds|microseconds)(_|$)/.test(n)) problems.push(`${n}: a duration not in seconds`);
    for (const m of f.metrics) {
      for (const l of Object.keys(m.labels ?? {})) {
        if (!LABEL_NAME.test(l) || l.startsWith('__'))
          problems.push(`${n}: label "${l}" is not a valid name`);
        if (l === 'le' || l === 'quantile') problems.push(`${n}: reserved label "${l}"`);
      }
    }
  }
  // Duplicates among the samples as written (a histogram's buckets with their `le`).
  const seen = new Set<string>();
  for (const f of scrape.raw) {
    for (const m of f.metrics) {
      const key = `${f.name}${labelKey(m.labels ?? {})}`;
      if (seen.has(key)) problems.push(`duplicate series ${key}`);
      seen.add(key);
    }
  }
  // Sample lines whose family was never declared (the parser would file them as untyped families).
  for (const m of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)) {
    const sample = m[1] ?? '';
    const family = sample.replace(/_(bucket|sum|count)$/, '');
    if (!names.has(sample) && !names.has(family)) problems.push(`${sample}: sample without a family`);
  }
  return problems;
}

/** Label names of a family's series (the `le` of histogram buckets not included). */
export function labelNames(f: PromFamily): Set<string> {
  const out = new Set<string>();
  for (const m of f.metrics) for (const l of Object.keys(m.labels ?? {})) out.add(l);
  return out;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** A metric selector of an expression: the name, and the label names its matchers use. */
export interface Selector {
  metric: string;
  labels: string[];
}

/**
 * The metric selectors of a PromQL expression (Grafana's `$variables` allowed): every identifier that is not
 * a function, an aggregation, a keyword, a grouping label list or a matcher's content, with the label names
 * of the matcher that follows it. Enough for a dashboard's queries, not a full PromQL parser.
 */
export function selectorsOf(expr: string): Selector[] {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\$\{?\w+(?::\w+)?\}?/g, '1m') // Grafana variables ($__rate_interval, ${workspace})
    .replace(/\[[^\]]*\]/g, '') // range and subquery durations
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const out: Selector[] = [];
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*(\()?/g;
  let m: RegExpExecArray | null;
  // Matchers with no metric name before them (`{__name__=~…}`) are not used here.
  e = e.replace(/(^|[^a-zA-Z0-9_:\s])\s*\{[^}]*\}/g, '$1');
  while ((m = re.exec(e)) !== null) {
    const [, name = '', matcher, call] = m;
    if (call !== undefined) continue; // a function or aggregation: sum(, rate(, histogram_quantile(
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name) || /^[0-9.e+-]+[smhdwy]?$/.test(name)) continue;
    if (/^\d+(ms|s|m|h|d|w|y)$/.test(name)) continue;
    const labels = [...(matcher ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map(
      (x) => x[1] ?? '',
    );
    out.push({ metric: name, labels });
  }
  return out;
}

/** The family a sample name belongs to (`x_bucket`, `x_sum`, `x_count` of a histogram `x`). */
export function familyOf(name: string, byName: ReadonlyMap<string, PromFamily>): PromFamily | undefined {
  const own = byName.get(name);
  if (own !== undefined) return own;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m === null) return undefined;
  const f = byName.get(m[1] ?? '');
  return f !== undefined && (f.type === 'HISTOGRAM' || f.type === 'SUMMARY') ? f : undefined;
}
