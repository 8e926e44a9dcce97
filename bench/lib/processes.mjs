// Child processes, temp dirs and readiness checks. Every child is tracked and ended on exit — normal, error or
// Ctrl-C — and every wait is bounded, so a broken candidate fails the bench instead of hanging it.
import { spawn } from 'node:child_process';
import {
  mkdtempSync,
  rmSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  statSync,
  accessSync,
  constants,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();
const tempDirs = new Set();

export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `keyway-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** A free loopback port (for programs that must be told their port up front: nginx, Keyway). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a child in its own process group (so nginx's workers are ended with their master), output to a log
 * file. `readyLine` (a RegExp) waits for a matching stdout line and resolves with its first capture group.
 */
export async function start(
  name,
  command,
  args,
  { env, cwd, logDir, readyLine, readyTimeoutMs = 15_000 } = {},
) {
  const logFile = path.join(logDir ?? tempDir(name), `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', readyLine ? 'pipe' : fd, fd],
  });
  closeSync(fd);
  const proc = { name, child, logFile, exited: false, exitCode: null };
  children.add(proc);
  proc.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      proc.exited = true;
      proc.exitCode = code ?? signal;
      children.delete(proc);
      resolve(proc.exitCode);
    });
  });
  child.once('error', (err) => {
    proc.exited = true;
    proc.error = err;
  });
  if (!readyLine) return proc;

  let out = '';
  const match = await Promise.race([
    new Promise((resolve) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = readyLine.exec(out);
        if (m) resolve(m);
      });
    }),
    proc.exit.then(() => null),
    sleep(readyTimeoutMs).then(() => null),
  ]);
  child.stdout.resume(); // keep draining so the child never blocks on a full pipe
  if (!match) {
    await stop(proc);
    throw new Error(`${name} did not become ready within ${readyTimeoutMs} ms:\n${out}${tail(logFile)}`);
  }
  proc.ready = match[1];
  return proc;
}

/** Ends one child and its process group: `signal` first, SIGKILL if it is still there after `graceMs`. */
export async function stop(proc, { signal = 'SIGTERM', graceMs = 5_000 } = {}) {
  if (!proc || proc.exited) return proc?.exitCode;
  kill(proc, signal);
  const done = await Promise.race([proc.exit.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    kill(proc, 'SIGKILL');
    await Promise.race([proc.exit, sleep(1_000)]);
  }
  return proc.exitCode;
}

function kill(proc, signal) {
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    try {
      proc.child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function cleanup() {
  await Promise.all([...children].map((proc) => stop(proc, { graceMs: 3_000 })));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let cleaningUp = false;
/** True once Ctrl-C or SIGTERM started the cleanup: errors from children ended by it are expected. */
export const interrupted = () => cleaningUp;
/** Installs the handlers that end every child on Ctrl-C, SIGTERM, an uncaught error, or a plain exit. */
export function installCleanup() {
  const onSignal = (signal) => {
    if (cleaningUp) return;
    cleaningUp = true;
    console.error(`\n${signal}: stopping child processes…`);
    cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last resort when the runner exits without awaiting cleanup(): synchronous, so SIGKILL the groups.
  process.on('exit', () => {
    for (const proc of children) kill(proc, 'SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Polls `url` until `check(response, body)` is true; each attempt has its own timeout. */
export async function waitFor(
  url,
  { timeoutMs = 15_000, headers, check = (r) => r.status === 200, proc } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc?.exited)
      throw new Error(`${proc.name} exited (${proc.exitCode}) while waiting for ${url}${tail(proc.logFile)}`);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (check(res, body)) return { status: res.status, body };
      last = `${res.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (last: ${last})${proc ? tail(proc.logFile) : ''}`);
}

export function tail(file, lines = 20) {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text
      ? `\n--- last lines of ${path.basename(file)} ---\n${text.split('\n').slice(-lines).join('\n')}`
      : '';
  } catch {
    return '';
  }
}

const hidden = new Set();
/** Makes `which(program)` answer null: to measure what a machine without nginx or wrk measures. */
export function hide(program) {
  hidden.add(program);
}

/**
 * The path of a program on PATH, or null. Debian installs nginx in /usr/sbin, which is not on a normal
 * user's PATH, so the sbin folders are searched too.
 */
export function which(program) {
  if (hidden.has(program)) return null;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, program);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Runs a short-lived tracked child (the load generator) to completion and returns its stdout. */
export async function runToEnd(name, command, args, { timeoutMs }) {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, exited: false, exitCode: null };
  children.add(proc);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  proc.exit = new Promise((resolve) => {
    child.once('close', (code, signal) => {
      proc.exited = true;
      proc.exitCode = code ?? signal;
      children.delete(proc);
      resolve(proc.exitCode);
    });
    child.once('error', (err) => {
      proc.exited = true;
      children.delete(proc);
      stderr += err.message;
      resolve(-1);
    });
  });
  const finished = await Promise.race([proc.exit.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!finished) {
    await stop(proc, { graceMs: 1_000 });
    throw new Error(`${name} did not finish within ${timeoutMs} ms`);
  }
  if (proc.exitCode !== 0) throw new Error(`${name} exited with ${proc.exitCode}: ${stderr.trim()}`);
  return stdout;
}

/**
 * CPU time (user + system, µs) spent so far by a process, its threads and its live descendants (the nginx
 * master's worker, `--workers N`'s processes), from /proc; undefined where there is no /proc. The bench
 * divides the difference over a run by the requests answered: CPU per request moves far less than req/s
 * when the machine is shared, and it shows where a ratio is lost (a second thread's work included).
 */
export function cpuMicros(pid) {
  if (pid === undefined) return undefined;
  let ticks = 0;
  const seen = new Set();
  const visit = (p) => {
    if (seen.has(p)) return;
    seen.add(p);
    let stat;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      return; // gone, or not Linux
    }
    // Fields after the parenthesised command: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
    let tids = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      /* none */
    }
    for (const t of tids) {
      let kids = '';
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        /* kernel without CONFIG_PROC_CHILDREN */
      }
      for (const k of kids.split(' ')) if (k !== '') visit(Number(k));
    }
  };
  visit(pid);
  return existsProc(pid) ? (ticks * 1e6) / CLOCK_TICKS : undefined;
}

const existsProc = (pid) => {
  try {
    statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
};

// USER_HZ: 100 on every Linux build Node supports (sysconf(_SC_CLK_TCK) is fixed by the kernel ABI).
const CLOCK_TICKS = 100;
