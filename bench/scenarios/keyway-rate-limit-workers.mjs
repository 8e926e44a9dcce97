// The embedded rate-limit scenario under `keyway start --workers 2`: two processes on the same port, the
// limit counted exactly through the primary (src/cluster/primary-store.ts). Against `keyway-rate-limit`
// (one process) in the same run: what a second core buys, and what counting over IPC costs.
import { rateLimitScenario } from './keyway-rate-limit.mjs';

export default rateLimitScenario({
  name: 'keyway-rate-limit-workers2',
  description: 'Keyway --workers 2, key-auth + one rate limit (counted at the primary), one valid key',
  redis: false,
  args: ['--workers', '2'],
  target: { against: 'keyway-rate-limit' },
});
