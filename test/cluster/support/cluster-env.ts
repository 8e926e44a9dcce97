/**
 * A fresh cluster environment per test file: its own PostgreSQL database, its own Redis prefix, relays
 * in front of both servers, and helpers to start Keyway nodes against them and to drive the admin API.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../../helpers/keyway-process.js';
import { Relay } from './relay.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['KEYWAY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface ClusterEnv {
  pgRelay: Relay;
  redisRelay: Relay;
  /** Settings every node of this cluster shares (through the relays). */
  env: Record<string, string>;
  prefix: string;
  start(extra?: { env?: Record<string, string>; args?: string[]; dataDir?: string }): Promise<KeywayProcess>;
  close(): Promise<void>;
}

export async function clusterEnv(name: string): Promise<ClusterEnv> {
  const id = randomBytes(4).toString('hex');
  const dbName = `keyway_${name}_${id}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const pgUrl = new URL(PG_URL);
  const redisUrl = new URL(REDIS_URL);
  const pgRelay = new Relay(pgUrl.hostname, Number(pgUrl.port || 5432));
  const redisRelay = new Relay(redisUrl.hostname, Number(redisUrl.port || 6379));
  pgUrl.port = String(await pgRelay.start());
  pgUrl.pathname = `/${dbName}`;
  redisUrl.port = String(await redisRelay.start());
  const prefix = `kwtest:${id}:`;
  const env = {
    KEYWAY_DATABASE_URL: pgUrl.toString(),
    KEYWAY_REDIS_URL: redisUrl.toString(),
    KEYWAY_REDIS_PREFIX: prefix,
    // Every node must hash keys with the same secret (docs/keys.md).
    KEYWAY_SECRET: randomBytes(32).toString('base64url'),
  };
  const nodes: KeywayProcess[] = [];
  let dataDir: string | undefined;
  return {
    pgRelay,
    redisRelay,
    env,
    prefix,
    async start(extra = {}) {
      const kw = await startKeyway({
        env: { ...env, ...extra.env },
        ...(extra.args === undefined ? {} : { args: extra.args }),
        // Nodes share one data directory only for the admin-token file the first node writes.
        ...((extra.dataDir ?? dataDir) === undefined ? {} : { dataDir: extra.dataDir ?? dataDir }),
      });
      dataDir ??= kw.dataDir;
      nodes.push(kw);
      return kw;
    },
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      await pgRelay.close();
      await redisRelay.close();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    },
  };
}

export async function adminCall(
  kw: KeywayProcess,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${kw.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export async function admin(
  kw: KeywayProcess,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
) {
  const r = await adminCall(kw, method, path, body);
  // A 5xx is a node bug: its log (the last lines) says which.
  const log = r.status >= 500 ? `\n${kw.output().split('\n').slice(-30).join('\n')}` : '';
  assert.ok(r.status < 300, `${method} ${path} → ${r.status} ${JSON.stringify(r.json)}${log}`);
  return r.json;
}

export async function proxyStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { headers });
  await res.body.dump();
  return res.statusCode;
}

/**
 * Polls `probe` every 10 ms until it returns true or `boundMs` passes; returns the time it took, or
 * Infinity. Tests assert the bound on the result.
 */
/**
 * How long a change may take to reach another node in these tests. The tests set the store poll to 60 s, so
 * meeting this bound proves the change-event path; it is far above what events need (a few milliseconds,
 * printed as diagnostics and measured by the bench) so that a loaded machine does not fail the suite.
 */
export const EVENT_BOUND_MS = 15_000;

export async function within(boundMs: number, probe: () => Promise<boolean>, stepMs = 10): Promise<number> {
  const start = performance.now();
  const deadline = start + boundMs;
  while (performance.now() < deadline) {
    if (await probe()) return performance.now() - start;
    await sleep(stepMs);
  }
  return Infinity;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
