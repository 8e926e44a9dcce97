// Keyway with one service and one route on `/`, no plugins: the gateway's fixed cost per request. Call records,
// metrics and trace propagation are off here (KEYWAY_RECORDS/KEYWAY_METRICS/KEYWAY_TRACE): `keyway-logging`
// is the same with records and metrics on.
import { oneRouteScenario } from '../lib/one-route.mjs';

export default oneRouteScenario({
  name: 'keyway',
  description: 'Keyway, one service + one route on /, no plugins',
  extraEnv: { KEYWAY_RECORDS: 'off', KEYWAY_METRICS: 'off', KEYWAY_TRACE: 'off' },
});
