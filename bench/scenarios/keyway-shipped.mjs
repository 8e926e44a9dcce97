// Keyway as `keyway start` ships it: one service and one route on `/`, and every node setting at the
// default of docs/configuration.md and docs/observability.md — call records on (store sink: SQLite, written
// by the record thread), Prometheus metrics on, trace propagation on, log level `info`. The other Keyway
// scenarios turn records, metrics and traces off to price one feature each; this one is what a user runs
// (issue 21: side by side with the bare Node proxy, Keyway as shipped ran at 0.75×).
import { startKeyway } from '../lib/keyway.mjs';

let keyway;
export default {
  name: 'keyway-shipped',
  description:
    'Keyway as shipped: one route on /, every node setting at its default (records, metrics, traces on)',
  gateway: true,
  // Issue 21: the shipped defaults at ≥ 0.85× the bare Node proxy.
  target: { against: 'ceiling', ratio: 0.85 },
  async setup(env) {
    keyway = await startKeyway(env, {
      name: 'keyway-shipped',
      // startKeyway quiets the log to `warn` for the other scenarios; `info` is the default.
      extraEnv: { KEYWAY_LOG_LEVEL: 'info' },
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
