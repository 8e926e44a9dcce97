/** `keyway version`: this CLI's version (the running node's own is in `keyway status`). */
import { KEYWAY_VERSION } from '../../core/version.js';
import type { CliContext } from '../context.js';

export async function versionCommand(ctx: CliContext): Promise<number> {
  const v = { version: KEYWAY_VERSION, node: process.version };
  ctx.output.out(ctx.json ? JSON.stringify(v) : `keyway ${v.version} (node ${v.node})`);
  return 0;
}
