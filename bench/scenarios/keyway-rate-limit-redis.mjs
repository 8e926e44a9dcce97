// As keyway-rate-limit, with the counters in Redis (127.0.0.1:6379, which the bench expects to be
// running, as CI does): one script call per request.
import { rateLimitScenario } from './keyway-rate-limit.mjs';

export default rateLimitScenario({
  name: 'keyway-rate-limit-redis',
  description: 'Keyway, key-auth + one rate limit counted in Redis, one valid key',
  redis: true,
  target: { against: 'ceiling' },
});
