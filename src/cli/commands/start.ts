/**
 * `keyway start [--config FILE] [--workers N]`: run a node in the foreground until SIGTERM/SIGINT.
 * With `--workers N` this process becomes the cluster primary and forks N workers that re-run this same
 * command; node:cluster tells them apart (src/server/primary.ts, src/server/worker.ts).
 */
import cluster from 'node:cluster';
import { startNode } from '../../server/node.js';
import { CliError } from '../context.js';

/** More workers than this is a typo, not a machine (each one is a whole node with its own caches). */
const MAX_WORKERS = 256;

export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new CliError(`--workers must be a whole number from 1 to ${MAX_WORKERS}, not "${value}"`, 2);
  }
  return n;
}

export async function startCommand(opts: { configFile?: string; workers?: number }): Promise<number> {
  const config = opts.configFile === undefined ? {} : { configFile: opts.configFile };
  if (opts.workers !== undefined && cluster.isPrimary) {
    const { runPrimary } = await import('../../server/primary.js');
    await runPrimary({ workers: opts.workers, ...config });
    return 0;
  }
  if (cluster.isWorker) {
    const { runWorker } = await import('../../server/worker.js');
    await runWorker(config);
    return 0;
  }
  // The node prints the banner (ports, admin token file) and drains on signals itself.
  await startNode({ ...config, handleSignals: true, banner: true });
  // The listeners keep the process alive after main returns.
  return 0;
}
