import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { seg } from '../../../shared/api.js';
import { TimeChart, type Series } from '../chart.js';
import { ErrorMessage } from '../error-message.js';
import { useApi } from '../session.js';
import { useLoad } from '../use-load.js';

interface Point {
  bucket: string;
  count: number;
  errors: number;
  client_errors: number;
  error_rate: number;
  p95_ms: number | null;
}

const RANGES = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
} as const;
type Range = keyof typeof RANGES;

/** The workspace at a glance: calls and errors over a time range, from the call records' rollups. */
export function OverviewPage() {
  const api = useApi();
  const { workspace = 'default' } = useParams();
  const [range, setRange] = useState<Range>('24h');
  const series = useLoad(
    () =>
      api.get<{ grain: string; since: string; until: string; data: Point[] }>(
        `/analytics/timeseries?workspace=${seg(workspace)}&since=${range}`,
      ),
    [api, workspace, range],
  );
  const points = series.data?.data ?? [];
  const total = points.reduce((n, p) => n + p.count, 0);
  const errors = points.reduce((n, p) => n + p.errors, 0);
  const chart: Series[] = useMemo(
    () => [
      { name: 'calls', points: points.map((p) => [p.bucket, p.count]) },
      { name: '5xx errors', points: points.map((p) => [p.bucket, p.errors]) },
      { name: '4xx', points: points.map((p) => [p.bucket, p.client_errors]) },
    ],
    [points],
  );

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview of {workspace}</h1>
        <label>
          Time range
          <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {Object.entries(RANGES).map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={series.error} />
      <dl className="figures">
        <div>
          <dt>Calls</dt>
          <dd>{total.toLocaleString()}</dd>
        </div>
        <div>
          <dt>5xx errors</dt>
          <dd>{errors.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Error rate</dt>
          <dd>{total === 0 ? '—' : `${((100 * errors) / total).toFixed(2)} %`}</dd>
        </div>
      </dl>
      <TimeChart
        series={chart}
        {...(series.data === undefined ? {} : { range: [series.data.since, series.data.until] as const })}
        label={`Calls and errors per ${series.data?.grain === 'm' ? 'minute' : series.data?.grain === 'd' ? 'day' : 'hour'}, ${RANGES[range]}`}
      />
    </section>
  );
}
