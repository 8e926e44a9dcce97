// Keyway with key-auth on the route and one valid key: what identifying a caller by API key costs per request
// (checksum, HMAC, cache hit, identity headers). Many keys at once: bench/keys-scale.mjs.
import { startKeyway } from '../lib/keyway.mjs';

let keyway;
export default {
  name: 'keyway-key-auth',
  description: 'Keyway, one route behind key-auth, one valid key (apikey header)',
  gateway: true,
  // The standing bar for key-auth against the bare Node proxy (docs/benchmark.md).
  target: { against: 'ceiling', ratio: 0.85 },
  async setup(env) {
    // Records, metrics and trace propagation off, as in `keyway`: this scenario prices key-auth alone (`keyway-logging`
    // prices observability).
    keyway = await startKeyway(env, {
      name: 'keyway-key-auth',
      extraEnv: { KEYWAY_RECORDS: 'off', KEYWAY_METRICS: 'off', KEYWAY_TRACE: 'off' },
    });
    await keyway.admin('POST', '/services', { name: 'bench', url: env.upstream.origin });
    await keyway.admin('POST', '/routes', { name: 'bench', service: 'bench', paths: ['/'] });
    await keyway.admin('POST', '/consumers', { username: 'bench' });
    await keyway.admin('POST', '/apps', { name: 'bench-app', consumer: 'bench' });
    await keyway.admin('POST', '/plugins', { name: 'key-auth', route: 'bench' });
    const { key } = await keyway.admin('POST', '/apps/bench-app/keys', {});
    const headers = { apikey: key };
    await keyway.waitForRoute('/', headers);
    return { url: keyway.proxyUrl, headers, pid: keyway.proc.child.pid, logFile: keyway.proc.logFile };
  },
  async teardown() {
    await keyway?.stop();
    keyway = undefined;
  },
};
