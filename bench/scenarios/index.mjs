// Every scenario the bench knows, in table order. A scenario is
//   { name, description, gateway?, available?(env) → true | reason, setup(env) → { url, headers? }, teardown() }
// `env` holds the upstream ({ url, origin, port }), the repo `root`, and `nodeArgs` for the process under test.
// To add one (key-auth, rate limits, logging on/off…): write a file here and list it below; `run.mjs` needs
// no change. Name Keyway variants `keyway-<what>` and set `gateway: true`.
import direct from './direct.mjs';
import nginxProxy from './nginx-proxy.mjs';
import ceiling from './ceiling.mjs';
import keywayBareRoute from './keyway-bare-route.mjs';
import keywayKeyAuth from './keyway-key-auth.mjs';
import keywayKeyAuthRule from './keyway-key-auth-rule.mjs';
import keywayLogging from './keyway-logging.mjs';
import keywayShipped from './keyway-shipped.mjs';
import keywayRateLimit from './keyway-rate-limit.mjs';
import keywayRateLimitRedis from './keyway-rate-limit-redis.mjs';
import keywayRateLimitWorkers from './keyway-rate-limit-workers.mjs';

export const scenarios = [
  direct,
  nginxProxy,
  ceiling,
  keywayBareRoute,
  keywayLogging,
  keywayShipped,
  keywayKeyAuth,
  keywayKeyAuthRule,
  keywayRateLimit,
  keywayRateLimitRedis,
  keywayRateLimitWorkers,
];
