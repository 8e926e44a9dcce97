/**
 * The published package works: `npm pack`, then `npm install <tarball>` in an empty project (from the npm
 * cache where it can: no network beyond the registry), then `npx keyway start`, `npx keyway demo` and
 * `npx keyway apply` from that project, and a call through the proxy. Before this, the tarball held
 * src/, test/ and bench/ but no dist/, and the installed command died with ERR_MODULE_NOT_FOUND.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ROOT } from '../helpers/keyway-process.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

/** npm's own variables from `npm test` would steer the inner npm (prefix, lifecycle): leave them out. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_/i.test(k) && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  return { ...env, ...extra };
}

function npm(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const r = spawnSync('npm', args, { cwd, env: cleanEnv(extra), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A long-running `npx keyway …` in its own process group, and what it printed so far. */
function npx(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child: ChildProcess = spawn('npx', ['--no', '--', 'keyway', ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out.stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
  return {
    child,
    out,
    async waitFor(re: RegExp, ms = 120_000): Promise<RegExpExecArray> {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = re.exec(out.stderr);
        if (m !== null) return m;
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `no ${String(re)} from npx keyway ${args.join(' ')}:\n${out.stdout}\n${out.stderr}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop(): void {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    },
  };
}

describe('the published package', () => {
  const work = mkdtempSync(join(tmpdir(), 'keyway-pack-'));
  const app = join(work, 'app');
  let files: string[] = [];
  let tarball = '';
  let install = { code: 0 as number | null, stdout: '', stderr: '' };
  const running: Array<ReturnType<typeof npx>> = [];

  before(() => {
    // The suite already built dist/: the prepack script skips its own build, which would rewrite dist/
    // under the other tests' feet. A real `npm pack` or `npm publish` builds from clean.
    const packed = npm(['pack', '--json', '--pack-destination', work], ROOT, { KEYWAY_PACK_SKIP_BUILD: '1' });
    assert.equal(packed.code, 0, packed.stderr);
    const json = packed.stdout.slice(packed.stdout.indexOf('['));
    const [info] = JSON.parse(json) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(info !== undefined);
    files = info.files.map((f) => f.path);
    tarball = join(work, info.filename);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'trying-keyway', private: true }));
    // Install scripts are skipped: the only one is better-sqlite3's native build (a minute of compiling,
    // or a download from outside the registry). Its binary is copied from this checkout's own build below,
    // the same version for the same Node.js: what a prebuilt binary would be.
    install = npm(
      ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      app,
    );
    assert.equal(install.code, 0, install.stderr);
    const requireFromKeyway = createRequire(join(app, 'node_modules', pkg.name, 'package.json'));
    const sqliteDir = dirname(requireFromKeyway.resolve('better-sqlite3/package.json'));
    const ours = join(ROOT, 'node_modules', 'better-sqlite3');
    const version = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(version(sqliteDir), version(ours), 'the installed better-sqlite3 is the locked one');
    mkdirSync(join(sqliteDir, 'build', 'Release'), { recursive: true });
    copyFileSync(
      join(ours, 'build', 'Release', 'better_sqlite3.node'),
      join(sqliteDir, 'build', 'Release', 'better_sqlite3.node'),
    );
  });
  after(() => {
    for (const p of running) p.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the built code, the bin and the docs, and no sources, tests or benchmarks', () => {
    for (const f of [
      'bin/keyway.js',
      'dist/src/cli/main.js',
      'dist/src/server/node.js',
      'dist/web/console/index.html',
      'README.md',
    ])
      assert.ok(files.includes(f), `${f} in ${files.length} files`);
    assert.ok(files.includes('npm-shrinkwrap.json'), 'the tested dependency tree ships with it');
    assert.ok(files.some((f) => f.startsWith('examples/')));
    assert.ok(files.some((f) => f.startsWith('docs/')));
    const stray = files.filter(
      (f) =>
        /^(src|test|bench|scripts|web)\//.test(f) ||
        f === 'dist/web/.inputs-sha256' ||
        f.startsWith('dist/test/') ||
        f.endsWith('.test.js') ||
        /test-(support|helpers)\.js$/.test(f) ||
        f.endsWith('.map') ||
        f.endsWith('.tsbuildinfo'),
    );
    assert.deepEqual(stray, []);
    assert.equal(pkg.bin['keyway'], './bin/keyway.js');
  });

  it('installs on Node.js 20 without an engine warning', () => {
    assert.doesNotMatch(install.stderr, /EBADENGINE/);
  });

  it('runs: --version, start, demo, apply, and a call through the proxy', async () => {
    const version = spawnSync('npx', ['--no', '--', 'keyway', '--version'], {
      cwd: app,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), `keyway ${pkg.version}`);

    const node = npx(['start'], app, {
      KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
      KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
      KEYWAY_PORTAL_LISTEN: 'off',
    });
    running.push(node);
    const proxy = (await node.waitFor(/proxy\s+(http:\/\/\S+)/))[1] ?? '';
    const admin = (await node.waitFor(/admin API\s+(http:\/\/\S+)/))[1] ?? '';
    assert.match(node.out.stderr, /npx keyway demo/);
    const health = await request(`${admin}/health`);
    assert.equal(health.statusCode, 200);
    await health.body.text();
    // The console ships built: served by the installed package, its assets with it.
    const consolePage = await request(`${admin}/console/`);
    assert.equal(consolePage.statusCode, 200);
    const html = await consolePage.body.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script !== undefined, html);
    const asset = await request(`${admin}${script}`);
    assert.equal(asset.statusCode, 200);
    await asset.body.dump();

    const demo = npx(['demo', '--listen', '127.0.0.1:0'], app);
    running.push(demo);
    const backend = (await demo.waitFor(/demo backend on (http:\/\/\S+):/))[1] ?? '';

    writeFileSync(
      join(app, 'demo.yaml'),
      `_format_version: "1"\nservices:\n  - name: demo\n    url: ${backend}\n    routes: [{ name: demo, paths: [/demo] }]\n`,
    );
    // From the same directory the CLI finds the admin token in ./data: no flag but the address.
    const applied = spawnSync('npx', ['--no', '--', 'keyway', 'apply', '-f', 'demo.yaml'], {
      cwd: app,
      env: cleanEnv({ KEYWAY_ADMIN_URL: admin }),
      encoding: 'utf8',
    });
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(applied.stdout, /applied: 2 created/);

    const deadline = Date.now() + 30_000;
    let status = 0;
    let body = '';
    while (Date.now() < deadline) {
      const res = await request(`${proxy}/demo/hello`);
      status = res.statusCode;
      body = await res.body.text();
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200, body);
    assert.equal((JSON.parse(body) as { path: string }).path, '/hello');
  });
});
