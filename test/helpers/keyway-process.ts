/**
 * Runs Keyway as a newcomer does: `node bin/keyway.js start` in its own process, on port 0, with a fresh
 * data directory. The addresses are read from the startup banner (on stderr; stdout holds the logs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'keyway.js');

export interface KeywayProcess {
  child: ChildProcess;
  dataDir: string;
  proxyUrl: string;
  proxyTlsUrl: string | undefined;
  adminUrl: string;
  /** The developer portal's listener, unless the test turned it off. */
  portalUrl: string | undefined;
  token: string;
  output(): string;
  /** What the process wrote to stdout alone (JSON log lines). */
  stdout(): string;
  /** Peak resident set size of the process so far, in bytes (VmHWM). */
  peakRss(): number;
  /** The process's resident set now (VmRSS), in bytes. */
  rss(): number;
  /**
   * Starts the peak over from the current RSS (Linux `clear_refs` 5), so `peakRss()` tells what a
   * phase of the test added; false where the kernel does not allow it (the peak then counts from start).
   */
  resetPeakRss(): boolean;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startKeyway(
  opts: {
    env?: Record<string, string>;
    dataDir?: string;
    args?: string[];
    /** Open-file limit of the process (soft and hard, through the shell's `ulimit -n`). */
    fdLimit?: number;
  } = {},
): Promise<KeywayProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'keyway-e2e-'));
  const argv = [BIN, 'start', ...(opts.args ?? [])];
  const [command, args] =
    opts.fdLimit === undefined
      ? [process.execPath, argv]
      : ['/bin/sh', ['-c', `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, ...argv]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
      KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
      KEYWAY_PORTAL_LISTEN: '127.0.0.1:0',
      KEYWAY_LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    // The banner is for people: it goes to stderr, stdout carries only JSON log lines.
    const check = () => {
      if (/admin token\s+\S+/.test(out)) {
        child.stderr?.off('data', check);
        resolve();
      }
    };
    child.stderr?.on('data', check);
    void exited.then(([code]) =>
      reject(new Error(`keyway exited with ${String(code)} before starting:\n${out}`)),
    );
  });
  const grab = (re: RegExp): string | undefined => re.exec(out)?.[1];
  const proxyUrl = grab(/proxy\s+(http:\/\/\S+)/);
  const adminUrl = grab(/admin API\s+(http:\/\/\S+)/);
  if (proxyUrl === undefined || adminUrl === undefined) throw new Error(`no addresses in banner:\n${out}`);
  return {
    child,
    dataDir,
    proxyUrl,
    proxyTlsUrl: grab(/proxy \(TLS\)\s+(https:\/\/\S+)/),
    adminUrl,
    portalUrl: grab(/portal\s+(http:\/\/\S+)/),
    token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(),
    output: () => out,
    stdout: () => stdout,
    peakRss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      return kb * 1024;
    },
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    },
    resetPeakRss() {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
