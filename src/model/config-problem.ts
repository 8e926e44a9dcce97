/**
 * A problem found in a configuration by the checks a JSON schema cannot express (src/snapshot/check.ts):
 * what the control layer answers a refused change with, and what compile steps (routes, plugins, the AI
 * catalog) report into.
 */
import type { ResourceKind } from './index.js';

export interface ConfigProblem {
  workspace: string;
  kind: ResourceKind;
  /** The resource's key (name, username or plugin key). */
  key: string;
  /** JSON pointer inside the resource, e.g. `/paths/0`; empty for the resource as a whole. */
  field: string;
  message: string;
}
