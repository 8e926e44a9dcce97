/**
 * End to end: the CLI's commands run in-process against a real admin API (listening on a port) over a
 * real SQLite store, and we read what they print.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAdmin, type AdminHarness } from '../../test/helpers/admin-harness.js';
import { applyCommand } from './commands/apply.js';
import { exportCommand } from './commands/export.js';
import type { CliContext } from './context.js';
import { main } from './main.js';

let h: AdminHarness;
let adminUrl: string;
before(async () => {
  h = await startAdmin();
  adminUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => h.close());

function capture(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    adminUrl,
    token: h.token,
    dataDir: h.dataDir,
    json: false,
    output: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
  };
  return { ctx, out, err };
}

const WEATHER = `_format_version: "1"
services:
  - name: weather
    url: http://weather.internal:8080
    routes:
      - name: weather
        paths: [/weather]
        plugins:
          - name: response-headers
            config:
              set: { x-kw: "1" }
`;

async function file(name: string, text: string): Promise<string> {
  const path = join(h.dataDir, name);
  await writeFile(path, text);
  return path;
}

test('dry run prints the diff and changes nothing', async () => {
  const f = await file('weather.yaml', WEATHER);
  const before = await h.store.configVersion();
  const { ctx, out, err } = capture();
  assert.equal(await applyCommand(ctx, { file: f, dryRun: true }), 0, err.join('\n'));
  assert.ok(out.includes('+ service weather'), out.join('\n'));
  assert.ok(out.includes('+ route weather'));
  assert.ok(out.includes('+ plugin response-headers@route=weather'));
  assert.equal(out.at(-1), '3 to create, 0 to update, 0 to delete (dry run: nothing changed)');
  assert.equal(await h.store.configVersion(), before);
});

test('apply changes the workspace; a second dry run of an edit shows the updated fields', async () => {
  const f = await file('weather.yaml', WEATHER);
  const { ctx, out } = capture();
  assert.equal(await applyCommand(ctx, { file: f, dryRun: false }), 0);
  assert.match(
    out.at(-1) ?? '',
    /^applied: 3 created, 0 updated, 0 deleted in workspace "default", config version \d+$/,
  );
  const route = await h.app.inject({ url: '/routes/weather', headers: h.auth });
  assert.equal(route.statusCode, 200);

  const edited = await file(
    'edited.yaml',
    WEATHER.replace('paths: [/weather]', 'paths: [/weather, /meteo]\n        strip_path: false'),
  );
  const second = capture();
  assert.equal(await applyCommand(second.ctx, { file: edited, dryRun: true }), 0);
  assert.deepEqual(second.out, [
    '~ route weather (paths, strip_path)',
    '0 to create, 1 to update, 0 to delete (dry run: nothing changed)',
  ]);
});

test('a field error from the API is reported as file:line:col and nothing changes', async () => {
  const broken = await file(
    'broken.yaml',
    WEATHER.replace('paths: [/weather]', 'paths: [/weather]\n        strip_pth: true'),
  );
  const before = await h.store.configVersion();
  const { ctx, out, err } = capture();
  assert.equal(await applyCommand(ctx, { file: broken, dryRun: false }), 1);
  assert.deepEqual(out, []);
  assert.equal(err[0], `${broken}:8:9: /services/0/routes/0/strip_pth: is not a known field`);
  assert.equal(await h.store.configVersion(), before);
});

test('a YAML syntax error is reported before any HTTP call', async () => {
  const broken = await file('syntax.yaml', WEATHER.replace('    url: http', '   url: http'));
  const { ctx, err } = capture();
  ctx.adminUrl = 'http://127.0.0.1:9'; // nothing listens: a request would fail differently
  assert.equal(await applyCommand(ctx, { file: broken, dryRun: false }), 1);
  assert.match(err[0] ?? '', new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: `));
  assert.ok(!err.join('\n').includes('cannot reach'));
});

test('export then apply of the export changes nothing', async () => {
  const out = join(h.dataDir, 'exported.yaml');
  const { ctx } = capture();
  assert.equal(await exportCommand(ctx, { outFile: out }), 0);
  const text = await readFile(out, 'utf8');
  assert.match(text, /_format_version: "1"/);
  const second = capture();
  assert.equal(await applyCommand(second.ctx, { file: out, dryRun: false }), 0);
  assert.match(second.out.at(-1) ?? '', /^no changes/);
});

test('the shipped example applies cleanly (dry run)', async () => {
  const example = fileURLToPath(new URL('../../../examples/weather.yaml', import.meta.url));
  const { ctx, out, err } = capture();
  assert.equal(await applyCommand(ctx, { file: example, dryRun: true }), 0, err.join('\n'));
  assert.ok(out.includes('+ upstream weather-backend'), out.join('\n'));
});

test('main: flags, token from the data dir, unreachable admin API, usage errors', async () => {
  const lines: string[] = [];
  const output = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  // No --token: read <data dir>/admin-token, as an operator on the node's machine would.
  assert.equal(
    await main(['status', '--admin-url', adminUrl, '--data-dir', h.dataDir, '--json'], {}, output),
    0,
  );
  assert.equal((JSON.parse(lines.join('')) as { store: string }).store, 'sqlite');
  assert.ok(!lines.join('').includes(h.token));

  lines.length = 0;
  assert.equal(
    await main(['status'], { KEYWAY_ADMIN_URL: 'http://127.0.0.1:9', KEYWAY_ADMIN_TOKEN: 'x' }, output),
    1,
  );
  assert.match(lines.join('\n'), /cannot reach the Keyway admin API at http:\/\/127\.0\.0\.1:9/);

  lines.length = 0;
  assert.equal(await main(['apply', '--bogus'], {}, output), 2);
  assert.equal(await main(['apply'], {}, output), 2);
  assert.equal(await main(['status', '-f', 'x'], {}, output), 2);
  assert.equal(await main(['frobnicate'], {}, output), 2);

  lines.length = 0;
  assert.equal(await main(['version'], {}, output), 0);
  assert.match(lines[0] ?? '', /^keyway \d+\.\d+\.\d+/);
});
