// Keyway with one service and one route on `/`, no plugins: the gateway's fixed cost per request. Call records,
// metrics and trace propagation are off here (KEYWAY_RECORDS/KEYWAY_METRICS/KEYWAY_TRACE): `keyway-logging`
// is the same with records and metrics on.
import { startKeyway } from '../lib/keyway.mjs';

let keyway;
export default {
  name: 'keyway',
  description: 'Keyway, one service + one route on /, no plugins',
  // Gateway scenarios are compared with the ceiling, measured at half load, and profiled with --profile.
  gateway: true,
  async setup(env) {
    keyway = await startKeyway(env, {
      extraEnv: { KEYWAY_RECORDS: 'off', KEYWAY_METRICS: 'off', KEYWAY_TRACE: 'off' },
    });
    await keyway.admin('POST', '/services', { name: 'bench', url: env.upstream.origin });
    await keyway.admin('POST', '/routes', { name: 'bench', service: 'bench', paths: ['/'] });
    await keyway.waitForRoute('/');
    return { url: keyway.proxyUrl, pid: keyway.proc.child.pid };
  },
  async teardown() {
    await keyway?.stop();
    keyway = undefined;
  },
};
