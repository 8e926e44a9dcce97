// The `keyway` scenario with call records (store sink: SQLite, written by the record thread) and Prometheus
// metrics on, as they are by default: what logging and metrics cost per request. Trace propagation is held
// off here as in `keyway` (it is not logging), so the ratio prices records + metrics alone. Target: ≥ 0.9×
// the `keyway` scenario's throughput.
import { oneRouteScenario } from '../lib/one-route.mjs';

export default oneRouteScenario({
  name: 'keyway-logging',
  description: 'Keyway, one route on /, call records (store sink) + metrics on',
  // Issue 5: logging and metrics on cost less than 10% of the throughput with them off.
  target: { against: 'keyway', ratio: 0.9 },
  extraEnv: { KEYWAY_RECORDS: 'on', KEYWAY_METRICS: 'on', KEYWAY_TRACE: 'off' },
});
