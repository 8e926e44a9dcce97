/**
 * deploy/kubernetes/, checked without a cluster: every manifest validated by kubernetes-models (the
 * Kubernetes 1.27 OpenAPI schemas: required fields, types, formats) and type-checked against its typed
 * models, which also refuses an unknown or misspelt field; then the manifests against each other and
 * against Keyway (selectors, named ports, probes on /health and /ready, the ConfigMap's node settings
 * parsed by Keyway's own parser, the Secret's variables ones a node reads, non-root and read-only root
 * file system); last, two real nodes started with the ConfigMap's file and the Secret's variables on
 * PostgreSQL and Redis answer both probes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { request } from 'undici';
import { parseAllDocuments } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { loadSettings } from '../../src/server/settings.js';
import { clusterEnv, type ClusterEnv } from '../cluster/support/cluster-env.js';
import { ROOT, startKeyway } from '../helpers/keyway-process.js';
import { NODE_ENV_NAMES, keywayNamesIn, repoFile, unknownEnvNames } from '../helpers/deployment.js';

interface Manifest {
  file: string;
  doc: Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };
}

const DIR = join('deploy', 'kubernetes');
const files = readdirSync(join(ROOT, DIR), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(repoFile(DIR, file)).map((d) => {
    assert.deepEqual(d.errors, [], file);
    return { file, doc: d.toJS() as Manifest['doc'] };
  }),
);

/** The kubernetes-models module of a kind: `apps/v1` + `Deployment` → `kubernetes-models/apps/v1/Deployment`. */
const modelPath = (m: Manifest) => `kubernetes-models/${m.doc.apiVersion}/${m.doc.kind}`;

interface Kinds {
  ConfigMap: IConfigMap;
  Deployment: IDeployment;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  PodDisruptionBudget: IPodDisruptionBudget;
  Secret: ISecret;
}

/** The one manifest of a kind, typed (the schema tests below prove the shape). */
function one<K extends keyof Kinds>(kind: K): Kinds[K] {
  const found = manifests.filter((m) => m.doc.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0]?.doc as unknown as Kinds[K];
}

function podOf(d: IDeployment) {
  const pod = d.spec?.template;
  const container: IContainer | undefined = pod?.spec?.containers[0];
  assert.ok(pod?.spec !== undefined && container !== undefined);
  return { pod, spec: pod.spec, container };
}

/** The ConfigMap's one file: its name and text. */
function configFileOf(): [string, string] {
  const [entry] = Object.entries(one('ConfigMap').data ?? {});
  assert.ok(entry !== undefined);
  return entry;
}

/** Type-checks `sources` (file name → TypeScript) as modules beside this test, with strict options. */
function typeCheck(sources: Record<string, string>): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const virtual = new Map(Object.entries(sources).map(([n, s]) => [join(ROOT, 'test', 'deploy', n), s]));
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, version, ...rest) => {
    const text = virtual.get(name);
    return text === undefined
      ? getSourceFile(name, version, ...rest)
      : ts.createSourceFile(name, text, version);
  };
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file?.fileName ?? '(options)';
    out.set(name, [...(out.get(name) ?? []), ts.flattenDiagnosticMessageText(d.messageText, ' ')]);
  }
  return out;
}

function typedModule(list: Array<{ doc: unknown; apiVersion: string; kind: string }>): string {
  return list
    .map(
      (m, i) =>
        `import type { I${m.kind} as T${i} } from 'kubernetes-models/${m.apiVersion}/${m.kind}';\n` +
        `export const m${i}: T${i} = ${JSON.stringify(m.doc)};\n`,
    )
    .join('');
}

describe('the Kubernetes manifests', () => {
  it('are the expected kinds', () => {
    const kinds = manifests.map((m) => `${m.doc.kind}/${m.doc.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'ConfigMap/keyway',
      'Deployment/keyway',
      'HorizontalPodAutoscaler/keyway',
      'PodDisruptionBudget/keyway',
      'Secret/keyway',
      'Service/keyway',
      'Service/keyway-admin',
    ]);
  });

  it('are valid against the Kubernetes schemas (kubernetes-models)', async () => {
    for (const m of manifests) {
      const mod = (await import(modelPath(m))) as Record<string, new (d: unknown) => { validate(): void }>;
      const Model = mod[m.doc.kind];
      assert.ok(Model !== undefined, modelPath(m));
      assert.doesNotThrow(() => new Model(m.doc).validate(), `${m.file}: ${m.doc.kind}`);
    }
    // The schemas catch a missing required field and a wrong type.
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    const broken = structuredClone(one('Deployment')) as unknown as {
      spec: {
        selector?: unknown;
        template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } };
      };
    };
    const port = broken.spec.template.spec.containers[0]?.ports[0];
    assert.ok(port !== undefined);
    port.containerPort = '8000';
    delete broken.spec.selector;
    assert.throws(
      () => new Deployment(broken as unknown as IDeployment).validate(),
      /selector[\s\S]*containerPort must be integer|containerPort must be integer[\s\S]*selector/,
    );
  });

  it('name no field the Kubernetes API types do not have (type-checked against kubernetes-models)', () => {
    const list = manifests.map((m) => ({ doc: m.doc, apiVersion: m.doc.apiVersion, kind: m.doc.kind }));
    const typo = structuredClone(one('Deployment'));
    const typoContainer = podOf(typo).container as unknown as Record<string, unknown>;
    typoContainer['readinesProbe'] = { httpGet: { path: '/ready', port: 'admin' } };
    const problems = typeCheck({
      'manifests.virtual.ts': typedModule(list),
      'typo.virtual.ts': typedModule([{ doc: typo, apiVersion: 'apps/v1', kind: 'Deployment' }]),
    });
    const mine = [...problems].filter(([f]) => !f.endsWith('typo.virtual.ts'));
    assert.deepEqual(mine, []);
    const caught = [...problems].find(([f]) => f.endsWith('typo.virtual.ts'))?.[1] ?? [];
    assert.match(caught.join('\n'), /readinesProbe/, 'a misspelt field is caught');
  });

  it('fit together: selectors, named ports, the ConfigMap, the Secret, the autoscaler and budget targets', () => {
    const deployment = one('Deployment');
    const { pod, spec, container } = podOf(deployment);
    const labels = pod.metadata?.labels ?? {};
    const within = (sel: Record<string, string> | undefined) =>
      sel !== undefined && Object.entries(sel).every(([k, v]) => labels[k] === v);
    assert.ok(within(deployment.spec?.selector.matchLabels), 'Deployment selector');
    const portNames = new Set((container.ports ?? []).map((p) => p.name));
    for (const m of manifests.filter((x) => x.doc.kind === 'Service')) {
      const svc = m.doc as unknown as IService;
      assert.ok(within(svc.spec?.selector), `${m.doc.metadata.name} selects the pods`);
      for (const p of svc.spec?.ports ?? [])
        assert.ok(portNames.has(String(p.targetPort)), `${m.doc.metadata.name} → ${String(p.targetPort)}`);
    }
    assert.ok(within(one('PodDisruptionBudget').spec?.selector?.matchLabels), 'PDB selector');
    assert.deepEqual(one('HorizontalPodAutoscaler').spec?.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata?.name,
    });

    // The ConfigMap is mounted where --config reads it.
    const configMap = one('ConfigMap');
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    const mounts = container.volumeMounts ?? [];
    for (const m of mounts) assert.ok(volumes.has(m.name), `volume ${m.name}`);
    const configMount = mounts.find((m) => volumes.get(m.name)?.configMap?.name === configMap.metadata?.name);
    assert.ok(configMount !== undefined, 'the ConfigMap is mounted');
    const args = container.args ?? [];
    assert.equal(args[0], 'start');
    const configFile = args[args.indexOf('--config') + 1] ?? '';
    assert.equal(posix.dirname(configFile), configMount.mountPath);
    assert.ok(
      posix.basename(configFile) in (configMap.data ?? {}),
      `${configFile} is a key of the ConfigMap`,
    );

    // The Secret is where the variables come from.
    const secret = one('Secret');
    const refs = (container.envFrom ?? []).map((e) => e.secretRef?.name);
    assert.ok(refs.includes(secret.metadata?.name));
    const keys = Object.keys(secret.stringData ?? {});
    assert.deepEqual(unknownEnvNames(keys), []);
    for (const name of ['KEYWAY_SECRET', 'KEYWAY_DATABASE_URL']) assert.ok(keys.includes(name), name);
  });

  it('hold node settings Keyway accepts, with the ports, data directory and probes the pod uses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-k8s-'));
    try {
      const [name, body] = configFileOf();
      const file = join(dir, name);
      writeFileSync(file, body);
      const settings = loadSettings({ configFile: file, env: {} });
      const { spec, container } = podOf(one('Deployment'));
      const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
      assert.equal(ports.get('proxy'), settings.proxy.listen.port);
      assert.equal(ports.get('admin'), settings.admin.listen.port);
      assert.equal(settings.admin.listen.host, '0.0.0.0', 'the kubelet reaches the probes on the pod IP');
      for (const [probe, path] of [
        [container.startupProbe, '/health'],
        [container.livenessProbe, '/health'],
        [container.readinessProbe, '/ready'],
      ] as const)
        assert.deepEqual(probe?.httpGet, { path, port: 'admin' }, path);
      const dataMount = (container.volumeMounts ?? []).find((m) => m.mountPath === settings.data_dir);
      assert.ok(dataMount !== undefined, `data_dir ${settings.data_dir} is a mounted volume`);
      // Draining fits in the grace period, after the preStop pause.
      const pause = Number(container.lifecycle?.preStop?.exec?.command?.[1]);
      assert.ok((spec.terminationGracePeriodSeconds ?? 30) > pause + settings.proxy.drain_timeout_ms / 1000);
      // A misspelt key in that file stops the node: the check above has teeth.
      writeFileSync(file, body.replace('drain_timeout_ms', 'drain_timeout'));
      assert.throws(() => loadSettings({ configFile: file, env: {} }), /drain_timeout/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run as the image user, non-root, read-only root file system, no privilege escalation, bounded memory', () => {
    const { spec, container } = podOf(one('Deployment'));
    assert.equal(spec.securityContext?.runAsNonRoot, true);
    // The node images' `node` user, which the Dockerfile's USER names.
    assert.match(repoFile('Dockerfile'), /^USER node$/m);
    assert.equal(spec.securityContext?.runAsUser, 1000);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const resources = container.resources;
    assert.ok(resources?.requests?.['cpu'] !== undefined && resources.requests['memory'] !== undefined);
    assert.ok(resources.limits?.['memory'] !== undefined);
    const pkg = JSON.parse(repoFile('package.json')) as { version: string };
    assert.equal(container.image, `keyway:${pkg.version}`, 'a versioned image, never latest');
  });

  it('name only variables a node reads, even in comments', () => {
    for (const f of files) assert.deepEqual(unknownEnvNames(keywayNamesIn(repoFile(DIR, f))), [], f);
    assert.ok(NODE_ENV_NAMES.has('KEYWAY_SECRET'));
  });
});

describe('nodes started as the manifests describe', { timeout: 240_000 }, () => {
  let cluster: ClusterEnv;
  let configFile = '';
  const dir = mkdtempSync(join(tmpdir(), 'keyway-k8s-nodes-'));
  before(async () => {
    cluster = await clusterEnv('k8s');
    const [name, body] = configFileOf();
    configFile = join(dir, name);
    writeFileSync(configFile, body);
  });
  after(async () => {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuse to start with the Secret placeholder left in', async () => {
    const placeholder = String(one('Secret').stringData?.['KEYWAY_SECRET']);
    await assert.rejects(
      startKeyway({ env: { ...cluster.env, KEYWAY_SECRET: placeholder }, args: ['--config', configFile] }),
      /KEYWAY_SECRET[\s\S]*at least 32 characters/,
    );
  });

  it('two nodes with the ConfigMap file and the Secret variables on PostgreSQL and Redis answer /health and /ready', async () => {
    // The Secret's keys with this cluster's values; listen ports 0 and a temporary data directory
    // (startKeyway's environment wins over the file, as KEYWAY_* always does).
    const secretKeys = Object.keys(one('Secret').stringData ?? {});
    const env = Object.fromEntries(secretKeys.map((k) => [k, cluster.env[k] ?? '']));
    const a = await cluster.start({ env, args: ['--config', configFile] });
    const b = await cluster.start({ env, args: ['--config', configFile] });
    for (const node of [a, b])
      for (const path of ['/health', '/ready']) {
        const res = await request(`${node.adminUrl}${path}`);
        await res.body.text();
        assert.equal(res.statusCode, 200, `${path}: ${node.output().slice(-2000)}`);
      }
    // log.format json from the file: stdout lines are JSON even though no variable says so.
    const line = a
      .stdout()
      .split('\n')
      .find((l) => l.trim() !== '');
    if (line !== undefined) assert.doesNotThrow(() => JSON.parse(line));
  });
});
