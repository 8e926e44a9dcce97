/** `keyway start [--config FILE]`: run a node in the foreground until SIGTERM/SIGINT. */
import { startNode } from '../../server/node.js';

export async function startCommand(opts: { configFile?: string }): Promise<number> {
  // The node prints the banner (ports, admin token file) and drains on signals itself.
  await startNode({
    ...(opts.configFile === undefined ? {} : { configFile: opts.configFile }),
    handleSignals: true,
    banner: true,
  });
  // The listeners keep the process alive after main returns.
  return 0;
}
