/**
 * The primary of `keyway start --workers N`: prepares the data directory and store once, forks N workers
 * that each run a whole node (proxy and admin listeners shared through node:cluster, so one port each),
 * relays change events between them, keeps the shared counters, restarts a worker that dies, and on
 * SIGTERM/SIGINT lets every worker drain and exits 0.
 *
 * The primary serves no traffic and loads neither Fastify nor the proxy: it is the part that must not
 * crash. Counting lives here because a limit must hold for the machine, not for each worker
 * (src/cluster/primary-store.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { ensureAdminToken } from '../admin/admin-token.js';
import { KEYWAY_VERSION } from '../core/version.js';
import { loadKeySecret } from '../keys/key-secret.js';
import { LocalCounterStore } from '../limits/local-store.js';
import { answerCounterMessage } from '../cluster/primary-store.js';
import { nextStep } from './banner.js';
import { createLogger } from './logger.js';
import { loadSettings, type NodeSettings } from './settings.js';
import { openStore } from '../store/open-store.js';
import { decodeEvent } from '../cluster/change-events.js';
import { isKeywayMessage, type PrimaryMessage, type WorkerAddresses } from '../cluster/ipc.js';

/** Extra time over the drain timeout before a worker that will not stop is killed. */
const KILL_GRACE_MS = 5_000;

export async function runPrimary(opts: { workers: number; configFile?: string }): Promise<void> {
  const settings = loadSettings(opts.configFile === undefined ? {} : { configFile: opts.configFile });
  const log = createLogger(settings.log).child({ role: 'primary' });
  const token = await prepare(settings);
  const counters = new LocalCounterStore();
  const budget = new RestartBudget();
  const listening = new Map<number, WorkerAddresses>();
  let started = false;
  let stopping = false;
  let failed = false;

  // Each worker keeps a slot number across restarts: slot 0 runs the node-wide background jobs (alert
  // evaluation, record retention) so N workers do not each send the same webhook.
  const slots = new Map<number, number>();
  const fork = (slot: number): Worker => {
    const worker = cluster.fork({ KEYWAY_WORKER: '1', KEYWAY_WORKER_SLOT: String(slot) });
    slots.set(worker.id, slot);
    return worker;
  };
  const live = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const shutdown = (reason: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    failed ||= code !== 0;
    log.info({ reason, workers: live().length }, 'stopping workers (each drains its in-flight requests)');
    for (const w of live()) w.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const w of live()) w.process.kill('SIGKILL');
    }, settings.proxy.drain_timeout_ms + KILL_GRACE_MS);
    killer.unref();
    if (live().length === 0) finish();
  };
  const finish = (): void => {
    void counters.close();
    log.info('stopped');
    process.exit(failed ? 1 : 0);
  };

  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (!isKeywayMessage(msg)) return;
    if (answerCounterMessage(counters, worker, msg)) return;
    if (msg.kw === 'event') {
      // Hand the event to every other worker; the sender applied it already.
      const event = decodeEvent(msg['event']);
      if (event === undefined) return;
      const out: PrimaryMessage = { kw: 'event', event };
      for (const w of live()) if (w !== worker && w.isConnected()) w.send(out);
    } else if (msg.kw === 'listening') {
      listening.set(worker.id, msg['addresses'] as WorkerAddresses);
      if (started) log.info({ pid: worker.process.pid }, 'replacement worker listening');
      if (!started && listening.size >= opts.workers) {
        started = true;
        printBanner(settings, listening.get(worker.id) as WorkerAddresses, opts.workers, token);
      }
    }
  });

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    listening.delete(worker.id);
    if (stopping) {
      if (code !== 0) {
        failed = true;
        log.error({ code, signal, pid: worker.process.pid }, 'worker did not stop cleanly');
      }
      if (live().length === 0) finish();
      return;
    }
    if (!started) {
      // A worker that cannot start (port taken, store gone) will not start on a retry either.
      log.error({ code, signal }, 'a worker failed to start');
      shutdown('worker failed to start', 1);
      return;
    }
    if (!budget.allow(Date.now())) {
      log.error({ code, signal }, 'workers keep crashing; giving up');
      shutdown('crash loop', 1);
      return;
    }
    log.error({ code, signal, pid: worker.process.pid }, 'worker died; starting a new one');
    const slot = slots.get(worker.id) ?? 0;
    slots.delete(worker.id);
    fork(slot);
  });

  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  for (let i = 0; i < opts.workers; i++) fork(i);
}

/**
 * Migrations, the first admin token and the key-hashing secret, once, before any worker exists: N
 * workers racing to create them on a fresh data directory would each make their own.
 */
async function prepare(settings: NodeSettings): Promise<{ file: string; created: boolean }> {
  const store = await openStore({
    dataDir: settings.data_dir,
    ...(settings.database_url === undefined ? {} : { databaseUrl: settings.database_url }),
  });
  try {
    const token = await ensureAdminToken(store, settings.data_dir);
    await loadKeySecret({ envSecret: settings.secret, dataDir: settings.data_dir, store });
    return { file: token.file, created: token.created };
  } finally {
    await store.close();
  }
}

function printBanner(
  settings: NodeSettings,
  at: WorkerAddresses,
  workers: number,
  token: { file: string; created: boolean },
): void {
  const lines = [
    `Keyway ${KEYWAY_VERSION} is running`,
    `  workers      ${workers} (pid ${process.pid} is the primary)`,
    `  proxy        http://${at.proxy}`,
    ...(at.proxyTls === undefined ? [] : [`  proxy (TLS)  https://${at.proxyTls}`]),
    `  admin API    http://${at.admin}`,
    ...(at.portal === undefined ? [] : [`  portal       http://${at.portal}`]),
    `  store        ${settings.database_url === undefined ? `sqlite ${join(settings.data_dir, 'keyway.db')}` : 'postgresql'}`,
    `  admin token  ${token.file}${token.created ? ' (created now, mode 0600)' : ''}`,
    '',
    nextStep(settings.npm_command),
  ];
  // stderr: stdout carries only JSON log lines, which collectors parse line by line.
  process.stderr.write(`${lines.join('\n')}\n`);
}

/**
 * A worker that dies is replaced at once, but a worker that dies on every start (a bug hit by every
 * request, memory exhausted at once) would be forked in a tight loop: past MAX restarts within WINDOW
 * the primary stops and exits 1 so the supervisor (systemd, Kubernetes) sees it.
 */
class RestartBudget {
  static readonly MAX = 5;
  static readonly WINDOW_MS = 30_000;
  readonly #times: number[] = [];
  allow(now: number): boolean {
    while (this.#times.length > 0 && this.#times[0] <= now - RestartBudget.WINDOW_MS) this.#times.shift();
    this.#times.push(now);
    return this.#times.length <= RestartBudget.MAX;
  }
}
