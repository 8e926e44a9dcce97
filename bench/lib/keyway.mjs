// Starts one Keyway process (`node bin/keyway.js start`) with its own data dir and loopback listeners, and
// talks to its admin API. Scenarios build on this: start, configure, wait for the route, measure.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { start, stop, tempDir, freePort, waitFor, tail } from './processes.mjs';

/**
 * @param env the bench env: `root` (repo root), `nodeArgs` (extra node flags, e.g. --cpu-prof), and
 *   optionally `wrap` (a command the node process runs under, e.g. valgrind's, with its arguments) and
 *   `slowdown` (how many times longer every wait may take under it), and `env` (KEYWAY_* settings laid over
 *   the scenario's own, to price one setting: `node bench/instructions.mjs --set KEYWAY_METRICS=off`).
 * @returns {{ proc, proxyUrl, adminUrl, dataDir, admin: (method, path, body?) => Promise<any>, waitForRoute, stop }}
 */
export async function startKeyway(
  env,
  { name = 'keyway', extraEnv = {}, dataDir: givenDir, args = [] } = {},
) {
  const bin = path.join(env.root, 'bin', 'keyway.js');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist yet: build Keyway first (npm run build)`);
  // A given data dir is reused (the key-scale bench seeds it between two starts).
  const dataDir = givenDir ?? tempDir(name);
  const [proxyPort, adminPort] = [await freePort(), await freePort()];
  const [command, ...wrapArgs] = env.wrap ?? [process.execPath];
  const nodeArgs = [...(env.nodeArgs ?? []), bin, 'start', ...args];
  const slowdown = env.slowdown ?? 1;
  const proc = await start(
    name,
    command,
    env.wrap ? [...wrapArgs, process.execPath, ...nodeArgs] : nodeArgs,
    {
      cwd: env.root,
      logDir: dataDir,
      env: {
        KEYWAY_DATA_DIR: dataDir,
        KEYWAY_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
        KEYWAY_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
        KEYWAY_PORTAL_LISTEN: 'off',
        KEYWAY_LOG_LEVEL: 'warn',
        ...extraEnv,
        ...env.env,
      },
    },
  );
  const proxyUrl = `http://127.0.0.1:${proxyPort}/`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor(`${adminUrl}/health`, { proc, timeoutMs: 20_000 * slowdown });
  const token = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();

  async function admin(method, urlPath, body) {
    const res = await fetch(`${adminUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5_000 * slowdown),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(
        `admin ${method} ${urlPath} → ${res.status} ${text.slice(0, 300)}${tail(proc.logFile)}`,
      );
    return text ? JSON.parse(text) : undefined;
  }

  return {
    proc,
    proxyUrl,
    adminUrl,
    dataDir,
    token,
    admin,
    /** Config reaches the data plane asynchronously (about a second): poll until `urlPath` answers 200. */
    waitForRoute: (urlPath = '/', headers) =>
      waitFor(new URL(urlPath, proxyUrl).href, { proc, headers, timeoutMs: 10_000 * slowdown }),
    // SIGTERM lets Keyway shut down cleanly, which is also when `--cpu-prof` writes its profile.
    stop: () => stop(proc, { signal: 'SIGTERM', graceMs: 10_000 * slowdown }),
  };
}
