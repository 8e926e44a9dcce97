// A gateway scenario of Keyway with one service and one route on `/`, no plugins: the scenarios that price
// the node's own settings (bare, records and metrics, shipped defaults) differ only in their name, target
// and the KEYWAY_* settings they start the node with.
import { startKeyway } from './keyway.mjs';

export function oneRouteScenario({ name, description, target, extraEnv }) {
  let keyway;
  return {
    name,
    description,
    // Gateway scenarios are compared with the ceiling, measured at half load, and profiled with --profile.
    gateway: true,
    ...(target === undefined ? {} : { target }),
    async setup(env) {
      keyway = await startKeyway(env, { name, extraEnv });
      await keyway.admin('POST', '/services', { name: 'bench', url: env.upstream.origin });
      await keyway.admin('POST', '/routes', { name: 'bench', service: 'bench', paths: ['/'] });
      await keyway.waitForRoute('/');
      return { url: keyway.proxyUrl, pid: keyway.proc.child.pid, logFile: keyway.proc.logFile };
    },
    async teardown() {
      await keyway?.stop();
      keyway = undefined;
    },
  };
}
