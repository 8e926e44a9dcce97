/**
 * Whole-configuration checks that a JSON schema cannot express: references between resources, plugin
 * configs against their plugin's schema, URLs that parse, and routes that would collide in the router.
 * The control layer runs this inside the write transaction; a non-empty answer rolls the change back.
 */
import type { SecretBox } from '../keys/secret-box.js';
import type { ConfigState } from '../model/index.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { AgentCache } from './agents.js';
import { collectProblems } from './compile.js';

// Checking builds services too; their pools are created lazily by undici, so one shared cache costs nothing.
const checkAgents = new AgentCache();

/** With `secrets`, sealed plugin secrets and AI provider keys are opened as a serving node would. */
export function checkConfig(state: ConfigState, secrets?: SecretBox): ConfigProblem[] {
  return collectProblems(state, { agents: checkAgents, secrets });
}
