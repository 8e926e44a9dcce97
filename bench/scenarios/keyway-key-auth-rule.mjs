// Keyway with key-auth + one typical attribute rule (access-rules, CEL) on the route, one valid key: what
// evaluating a rule costs on top of identifying the caller. The rule is "gold plan in Paris office hours"
// widened to the whole day, so that it never refuses whenever the bench runs while doing the same work: the
// caller's plan, the clock, two time-zone conversions, every request reaching the upstream. Reported beside
// `keyway-key-auth` (target: that scenario's rate); the per-request CEL cost alone: bench/cel-rule.mjs.
import { startKeyway } from '../lib/keyway.mjs';

export const BENCH_RULE =
  'plan == "gold" && now.getHours("Europe/Paris") >= 0 && now.getHours("Europe/Paris") < 24';

let keyway;
export default {
  name: 'keyway-key-auth-rule',
  description: 'Keyway, key-auth + one CEL access rule (plan and Paris office hours), one valid key',
  gateway: true,
  target: { against: 'keyway-key-auth' },
  async setup(env) {
    // Records, metrics and trace propagation off, as in `keyway-key-auth`: the difference is the rule.
    keyway = await startKeyway(env, {
      name: 'keyway-key-auth-rule',
      extraEnv: { KEYWAY_RECORDS: 'off', KEYWAY_METRICS: 'off', KEYWAY_TRACE: 'off' },
    });
    await keyway.admin('POST', '/services', { name: 'bench', url: env.upstream.origin });
    await keyway.admin('POST', '/routes', { name: 'bench', service: 'bench', paths: ['/'] });
    await keyway.admin('POST', '/plans', { name: 'gold' });
    await keyway.admin('POST', '/consumers', { username: 'bench', plan: 'gold' });
    await keyway.admin('POST', '/apps', { name: 'bench-app', consumer: 'bench' });
    await keyway.admin('POST', '/plugins', { name: 'key-auth', route: 'bench' });
    await keyway.admin('POST', '/plugins', {
      name: 'access-rules',
      route: 'bench',
      config: { rules: [{ name: 'gold-all-day', when: BENCH_RULE, effect: 'allow' }] },
    });
    const { key } = await keyway.admin('POST', '/apps/bench-app/keys', {});
    const headers = { apikey: key };
    await keyway.waitForRoute('/', headers);
    return { url: keyway.proxyUrl, headers, pid: keyway.proc.child.pid };
  },
  async teardown() {
    await keyway?.stop();
    keyway = undefined;
  },
};
