/**
 * The Dockerfile, checked without a Docker engine (none runs on the build machines): parsed with
 * dockerfile-ast, then checks in the spirit of hadolint — base images pinned to a Node.js 20 tag (never
 * `latest`), `npm ci` (never `npm install`), production dependencies only in the runtime stage, a
 * non-root USER, a HEALTHCHECK on /health, the data directory a VOLUME, EXPOSE matching the default
 * listen ports, every `KEYWAY_*` variable one the node reads, every path copied from the context present
 * and let through by .dockerignore. Then the runtime stage's layout is assembled from this checkout and
 * run with the image's own ENTRYPOINT, CMD, ENV and HEALTHCHECK command.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { builtinModules } from 'node:module';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, describe, it } from 'node:test';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { ROOT } from '../helpers/keyway-process.js';
import { defaultPort, keywayNamesIn, repoFile, unknownEnvNames } from '../helpers/deployment.js';

const text = repoFile('Dockerfile');
const dockerfile = DockerfileParser.parse(text);
const pkg = JSON.parse(repoFile('package.json')) as { bin: Record<string, string> };
const ignored = repoFile('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** The instructions, split into stages at each FROM. */
const stages: Instruction[][] = [];
for (const i of dockerfile.getInstructions()) {
  if (i.getKeyword() === 'FROM') stages.push([]);
  stages.at(-1)?.push(i);
}
const runtime = stages.at(-1) ?? [];
const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
const of = (stage: Instruction[], keyword: string) => stage.filter((i) => i.getKeyword() === keyword);
/** A JSON-form instruction's array (ENTRYPOINT, CMD, HEALTHCHECK … CMD). */
const json = (i: Instruction | undefined, from = 0): unknown =>
  JSON.parse((i?.getRawArgumentsContent() ?? '[]').slice(from).replace(/\\\n/g, ''));
const flagsOf = (i: Instruction): string[] =>
  'getFlags' in i
    ? (i as unknown as { getFlags(): Array<{ getName(): string }> }).getFlags().map((f) => f.getName())
    : [];

describe('the Dockerfile', () => {
  it('parses without a problem dockerfile-ast reports, and has three stages on one pinned Node.js 20 tag', () => {
    assert.equal(stages.length, 3, 'build, deps, runtime');
    const froms = dockerfile.getFROMs();
    for (const from of froms) {
      assert.equal(from.getImageName(), 'node');
      const tag = from.getImageTag() ?? '';
      assert.match(tag, /^20(\.\d+)*-(bookworm|bullseye|trixie)(-slim)?$/, `FROM ${from.getImage() ?? ''}`);
      assert.notEqual(tag, 'latest');
    }
    assert.equal(
      new Set(froms.map((f) => f.getImage())).size,
      1,
      'the native module is built for the Node.js that runs it',
    );
    assert.deepEqual(
      froms.slice(0, -1).map((f) => f.getBuildStage()),
      ['build', 'deps'],
    );
  });

  it('installs with npm ci, and production dependencies only where the runtime takes node_modules from', () => {
    const runs = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'RUN');
    for (const run of runs) assert.doesNotMatch(run.getRawArgumentsContent() ?? '', /\bnpm (install|i)\b/);
    const copyModules = of(runtime, 'COPY').find((c) => args(c).some((a) => a.endsWith('/node_modules')));
    assert.ok(copyModules !== undefined, 'the runtime copies node_modules');
    const fromStage = (copyModules as Copy).getFromFlag()?.getValue();
    const source = stages.find(
      (s) =>
        s[0] !== undefined && /\bAS\s+(\S+)/i.exec(s[0].getRawArgumentsContent() ?? '')?.[1] === fromStage,
    );
    assert.ok(source !== undefined, `stage ${String(fromStage)}`);
    const installs = of(source, 'RUN').map((r) => r.getRawArgumentsContent() ?? '');
    assert.ok(
      installs.some((r) => /npm ci\b[^&]*--omit=dev/.test(r)),
      installs.join(' | '),
    );
    // apt lists do not stay in a layer.
    for (const run of runs) {
      const body = run.getRawArgumentsContent() ?? '';
      if (body.includes('apt-get install')) {
        assert.match(body, /--no-install-recommends/);
        assert.match(body, /rm -rf \/var\/lib\/apt\/lists/);
      }
    }
  });

  it('runs code that imports production dependencies only (the runtime stage has no others)', () => {
    const pkgDeps = JSON.parse(repoFile('package.json')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkgDeps.dependencies), ...builtinModules]);
    // Static imports, dynamic imports, and createRequire(…)('name') — the lazily loaded modules.
    const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\)\(\s*)'([^'./][^']*)'/g;
    const wrong: string[] = [];
    const shipped = readdirSync(join(ROOT, 'dist', 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.js') && !f.endsWith('.test.js') && !/test-(support|helpers)\.js$/.test(f),
    );
    assert.ok(shipped.length > 100, `${shipped.length} modules in dist/src`);
    for (const f of shipped) {
      for (const m of readFileSync(join(ROOT, 'dist', 'src', f), 'utf8').matchAll(specifier)) {
        const spec = (m[1] ?? '').replace(/^node:/, '');
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : (spec.split('/')[0] ?? '');
        if (!allowed.has(name)) wrong.push(`${f}: ${spec}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('copies from the context only paths that exist and .dockerignore lets through', () => {
    for (const copy of of(dockerfile.getInstructions(), 'COPY').concat(
      of(dockerfile.getInstructions(), 'ADD'),
    )) {
      if (flagsOf(copy).includes('from')) continue;
      assert.equal(copy.getKeyword(), 'COPY', 'ADD fetches and unpacks: COPY says what it does');
      const paths = args(copy);
      for (const src of paths.slice(0, -1)) {
        assert.ok(existsSync(join(ROOT, src)), `COPY ${src}: not in the repository`);
        const top = src.replace(/\/$/, '').split('/')[0] ?? '';
        assert.ok(
          !ignored.some((p) => p.replace(/\/$/, '') === top),
          `COPY ${src}: excluded by .dockerignore`,
        );
      }
    }
    for (const heavy of ['node_modules', 'dist', '.git', 'data'])
      assert.ok(ignored.includes(heavy), `${heavy} stays out of the build context`);
  });

  it('compiles, from what the build stage copies, only files inside that context', () => {
    // `tsc -p tsconfig.dist.json` in the build stage: the files it reads must be in src/ or node_modules
    // (a test file importing test/helpers would break the image build, not this checkout's).
    const copied = of(stages[0] ?? [], 'COPY').flatMap((c) => args(c).slice(0, -1));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.dist.json', '--listFilesOnly'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const outside = r.stdout
      .split('\n')
      .filter((f) => f !== '')
      .map((f) => relative(ROOT, f))
      .filter(
        (f) => !f.startsWith(`node_modules${sep}`) && !copied.some((c) => f.startsWith(c.replace(/\/$/, ''))),
      );
    assert.deepEqual(outside, []);
    assert.ok(copied.includes('tsconfig.dist.json') && copied.includes('src/'), copied.join(' '));
  });

  it('runs as a non-root user, keeps its data in a VOLUME, exposes the default ports', () => {
    const user = args(of(runtime, 'USER').at(-1) as Instruction)[0];
    assert.ok(user !== undefined && user !== 'root' && !/^0(:|$)/.test(user), `USER ${String(user)}`);
    const env = new Map(
      dockerfile
        .getENVs()
        .flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const)),
    );
    const volume = json(of(runtime, 'VOLUME')[0]) as string[];
    assert.deepEqual(volume, [env.get('KEYWAY_DATA_DIR')]);
    const exposed = of(runtime, 'EXPOSE').flatMap(args).map(Number).sort();
    const expected = ['proxy.listen', 'proxy.tls.listen', 'admin.listen'].map(defaultPort).sort();
    assert.deepEqual(exposed, expected);
    // The listeners the image sets listen on those ports, on every interface of the container.
    assert.equal(env.get('KEYWAY_PROXY_LISTEN'), `0.0.0.0:${defaultPort('proxy.listen')}`);
    assert.equal(env.get('KEYWAY_ADMIN_LISTEN'), `0.0.0.0:${defaultPort('admin.listen')}`);
    assert.deepEqual(unknownEnvNames(env.keys()), []);
    assert.deepEqual(unknownEnvNames(keywayNamesIn(text)), [], 'names in comments too');
  });

  it('checks /health, starts keyway through the package bin, stops with SIGTERM', () => {
    const health = of(runtime, 'HEALTHCHECK');
    assert.equal(health.length, 1);
    assert.equal(args(health[0])[0], 'CMD');
    assert.match(health[0]?.getRawArgumentsContent() ?? '', /\/health/);
    const entry = json(of(runtime, 'ENTRYPOINT')[0]) as string[];
    assert.deepEqual(entry, ['node', (pkg.bin['keyway'] ?? '').replace(/^\.\//, '')]);
    assert.deepEqual(json(of(runtime, 'CMD')[0]), ['start']);
    assert.deepEqual(args(of(runtime, 'STOPSIGNAL')[0]), ['SIGTERM']);
  });
});

describe('the runtime stage, assembled from this checkout', () => {
  const image = mkdtempSync(join(tmpdir(), 'keyway-image-'));
  after(() => rmSync(image, { recursive: true, force: true }));

  it('starts with the image ENTRYPOINT, CMD and ENV, and its HEALTHCHECK command says healthy, then unhealthy', async () => {
    // What the runtime stage's COPY lines put in WORKDIR: package.json, node_modules, dist/src, bin/.
    for (const copy of of(runtime, 'COPY')) {
      const [src = '', dest = ''] = args(copy);
      const from = src.replace(/^\/src\//, '').replace(/\/$/, '');
      const to = join(image, dest.replace(/^\.\//, '').replace(/\/$/, ''));
      mkdirSync(join(to, '..'), { recursive: true });
      // node_modules is this checkout's (dev dependencies too; the image has production ones only).
      if (from === 'node_modules') symlinkSync(join(ROOT, 'node_modules'), to);
      else cpSync(join(ROOT, from), to, { recursive: true });
    }
    // What is in WORKDIR before the start (node_modules is a link, not followed): the node must add nothing
    // there, so that a read-only root file system works.
    const listing = () =>
      readdirSync(image, { recursive: true, encoding: 'utf8' })
        .filter((f) => !f.startsWith('data'))
        .sort();
    const before = listing();
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '' };
    for (const e of dockerfile.getENVs())
      for (const p of e.getProperties()) env[p.getName()] = p.getValue() ?? '';
    const adminPort = defaultPort('admin.listen');
    // Port 0 and a temporary data directory: tests run side by side.
    Object.assign(env, {
      KEYWAY_DATA_DIR: join(image, 'data'),
      KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
      KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
    });
    const entry = json(of(runtime, 'ENTRYPOINT')[0]) as string[];
    const cmd = json(of(runtime, 'CMD')[0]) as string[];
    const node = spawn(process.execPath, [...entry.slice(1), ...cmd], {
      cwd: image,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    node.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    node.stdout.resume();
    const exited = once(node, 'exit');
    try {
      const admin = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const m = /admin API\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
          if (m !== null && /admin token/.test(err)) resolve(m[1] ?? '');
        };
        node.stderr.on('data', check);
        void exited.then(([code]) => reject(new Error(`exited ${String(code)}:\n${err}`)));
      });
      const health = of(runtime, 'HEALTHCHECK')[0];
      const raw = health?.getRawArgumentsContent() ?? '';
      const probe = (JSON.parse(raw.slice(raw.indexOf('[')).replace(/\\\n/g, '')) as string[]).map((a) =>
        a.replace(`127.0.0.1:${adminPort}`, `127.0.0.1:${admin}`),
      );
      assert.equal(probe[0], 'node');
      const run = () => spawnSync(process.execPath, probe.slice(1), { env, encoding: 'utf8' }).status;
      assert.equal(run(), 0, 'healthy while the node runs');
      node.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, 'SIGTERM drains and exits 0');
      assert.equal(run(), 1, 'unhealthy once it is gone');
      assert.deepEqual(listing(), before, 'nothing written outside the data directory');
    } finally {
      if (node.exitCode === null) node.kill('SIGKILL');
    }
  });
});
