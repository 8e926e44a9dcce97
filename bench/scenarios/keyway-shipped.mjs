// Keyway as `keyway start` ships it: one service and one route on `/`, and every node setting at the
// default of docs/configuration.md and docs/observability.md — call records on (store sink: SQLite, written
// by the record thread), Prometheus metrics on, trace propagation on, log level `info`. The other Keyway
// scenarios turn records, metrics and traces off to price one feature each; this one is what a user runs
// (issue 21: side by side with the bare Node proxy, Keyway as shipped ran at 0.75×).
import { oneRouteScenario } from '../lib/one-route.mjs';

export default oneRouteScenario({
  name: 'keyway-shipped',
  description:
    'Keyway as shipped: one route on /, every node setting at its default (records, metrics, traces on)',
  // Issue 21: the shipped defaults at ≥ 0.85× the bare Node proxy.
  target: { against: 'ceiling', ratio: 0.85 },
  // startKeyway quiets the log to `warn` for the other scenarios; `info` is the default.
  extraEnv: { KEYWAY_LOG_LEVEL: 'info' },
});
