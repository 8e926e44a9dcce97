/**
 * One worker of `keyway start --workers N`: a whole node (proxy, admin API, snapshot, key cache) whose
 * listeners node:cluster shares with its siblings. It tells the primary where it listens (the primary
 * prints the banner once for all), drains on SIGTERM like a single node, and stops when its primary is
 * gone rather than live on as an orphan nobody supervises.
 */
import { startNode } from './node.js';
import { workerChannel } from '../cluster/ipc.js';

export async function runWorker(opts: { configFile?: string }): Promise<void> {
  const channel = workerChannel();
  if (channel === undefined) throw new Error('runWorker outside a cluster worker');
  // A signal while the node is still starting (a replacement worker told to stop at once) must not kill
  // it mid-start with the default action: remember it and stop cleanly once started.
  let stopAsked = false;
  const early = (): void => {
    stopAsked = true;
  };
  process.on('SIGTERM', early).on('SIGINT', early);
  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    node = await startNode({ ...opts, handleSignals: true, banner: false });
    process.off('SIGTERM', early).off('SIGINT', early);
  } catch (err) {
    // The open IPC channel would keep this process alive after the CLI reported the error.
    process.exitCode = 1;
    process.disconnect();
    throw err;
  }
  if (stopAsked) {
    await node.stop();
    process.exit(0);
  }
  const addresses = { ...node.addresses };
  channel.send({ kw: 'listening', addresses });
  process.once('disconnect', () => {
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
