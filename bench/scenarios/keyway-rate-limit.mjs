// Keyway with key-auth + one rate limit on the route (embedded: in-process counters), one valid key:
// what counting a request costs on top of identifying it. The limit is high enough never to refuse,
// so every request does the full work (sliding-window update + RateLimit headers) and reaches the upstream.
import { randomUUID } from 'node:crypto';
import { startKeyway } from '../lib/keyway.mjs';

/**
 * The rate-limit scenarios share the setup; `redis` adds KEYWAY_REDIS_URL with a unique prefix, `args`
 * goes to `keyway start` (`--workers 2`). Issue 4's target is the embedded one's: key-auth + one rate
 * limit at ≥ 0.8× the bare Node proxy. The Redis and --workers variants are figures reported beside it
 * (`target` without a ratio: Redis against the ceiling, two workers against one process).
 */
export function rateLimitScenario({
  name,
  description,
  redis,
  args = [],
  target = { against: 'ceiling', ratio: 0.8 },
}) {
  let keyway;
  return {
    name,
    description,
    gateway: true,
    target,
    async setup(env) {
      // Records, metrics and trace propagation off, as in `keyway`: these price key-auth + the limit alone.
      const quiet = { KEYWAY_RECORDS: 'off', KEYWAY_METRICS: 'off', KEYWAY_TRACE: 'off' };
      const extraEnv = redis
        ? {
            ...quiet,
            KEYWAY_REDIS_URL: 'redis://127.0.0.1:6379',
            KEYWAY_REDIS_PREFIX: `kw-bench-${randomUUID()}:`,
          }
        : quiet;
      keyway = await startKeyway(env, { name, extraEnv, args });
      await keyway.admin('POST', '/services', { name: 'bench', url: env.upstream.origin });
      await keyway.admin('POST', '/routes', { name: 'bench', service: 'bench', paths: ['/'] });
      await keyway.admin('POST', '/consumers', { username: 'bench' });
      await keyway.admin('POST', '/apps', { name: 'bench-app', consumer: 'bench' });
      await keyway.admin('POST', '/plugins', { name: 'key-auth', route: 'bench' });
      await keyway.admin('POST', '/plugins', {
        name: 'rate-limit',
        route: 'bench',
        config: { limits: [{ limit: 1_000_000_000, window: '1s' }], use_plans: false },
      });
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
}

export default rateLimitScenario({
  name: 'keyway-rate-limit',
  description: 'Keyway, key-auth + one rate limit (in-process counters), one valid key',
  redis: false,
});
