/**
 * The README, followed top to bottom as a stranger would: its own YAML files (the blocks marked
 * `<!-- readme-walkthrough: FILE -->`, in order) against a real `keyway start` and the real `keyway demo`
 * backend, with the CLI as the README runs it. Above all: the AI section's file adds to the workspace,
 * and the consumer, app and key made in the keys section still work after it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { DEMO_LISTEN } from '../../src/cli/commands/demo.js';
import { AI_PROVIDER_TYPES } from '../../src/model/ai-provider.js';
import { BIN, ROOT, runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';

interface Step {
  file: string;
  text: string;
}

/** The marked YAML blocks of the README, in order. */
function walkthrough(): Step[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const steps: Step[] = [];
  const re = /<!-- readme-walkthrough: (\S+) -->\s*```yaml\n([\s\S]*?)```/g;
  for (let m = re.exec(readme); m !== null; m = re.exec(readme))
    steps.push({ file: m[1] ?? '', text: m[2] ?? '' });
  return steps;
}

async function eventually<T>(what: string, get: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${ms / 1000}s: ${what}`);
}

describe('the README, top to bottom', () => {
  const steps = walkthrough();
  const dir = mkdtempSync(join(tmpdir(), 'keyway-readme-'));
  let kw: KeywayProcess;
  let demo: ChildProcess;
  let demoAddress = '';
  let env: Record<string, string>;
  let key = '';

  /** Writes the README's file as the reader would, pointed at this test's demo backend. */
  function write(step: Step, edit?: (doc: Record<string, unknown>) => void): string {
    assert.ok(step.text.includes(`http://${DEMO_LISTEN}`) || step.file !== 'weather.yaml', step.text);
    let text = step.text.replaceAll(`http://${DEMO_LISTEN}`, `http://${demoAddress}`);
    if (edit !== undefined) {
      const doc = parse(text) as Record<string, unknown>;
      edit(doc);
      text = stringify(doc);
    }
    const path = join(dir, step.file);
    writeFileSync(path, text);
    return path;
  }

  async function get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const res = await request(`${kw.proxyUrl}${path}`, { headers });
    return { status: res.statusCode, body: await res.body.text() };
  }

  before(async () => {
    assert.deepEqual(
      steps.map((s) => s.file),
      ['weather.yaml', 'weather.yaml', 'ai.yaml'],
    );
    kw = await startKeyway();
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    demo = spawn(process.execPath, [BIN, 'demo', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    demo.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    demoAddress = await eventually(
      'the demo backend starts',
      async () => /on http:\/\/(\S+):/.exec(err)?.[1],
    );
  });
  after(async () => {
    demo.kill('SIGTERM');
    await kw.stop();
  });

  it('first five minutes: dry run, apply, and the demo backend answers through the proxy', async () => {
    const file = write(steps[0]);
    const dry = await runCli(['apply', '-f', file, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^\+ service weather$/m);
    assert.match(dry.stdout, /^\+ route weather$/m);
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr);
    const res = await eventually('the route serves', async () => {
      const r = await get('/weather/today');
      return r.status === 200 ? r : undefined;
    });
    const echo = JSON.parse(res.body) as { server: string; path: string };
    assert.equal(echo.server, 'keyway demo backend');
    assert.equal(echo.path, '/today');
  });

  it('keys for partners: the edited file adds key-auth, a consumer and an app; a key works', async () => {
    const file = write(steps[1]);
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.doesNotMatch(applied.stdout, /^- /m, 'the keys step only adds');
    await eventually('key-auth is on', async () =>
      (await get('/weather/today')).status === 401 ? true : undefined,
    );
    const created = await runCli(['keys', 'create', '--app', 'acme-dashboard', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    key = (JSON.parse(created.stdout) as { key: string }).key;
    assert.match(key, /^kw_live_/);
    const ok = await eventually('the key works', async () => {
      const r = await get('/weather/today', { apikey: key });
      return r.status === 200 ? r : undefined;
    });
    assert.equal(ok.status, 200);

    // As the README goes on: rotate, carry on with the new key, revoke the old one.
    const oldId = (JSON.parse(created.stdout) as { record: { id: string } }).record.id;
    const rotated = await runCli(['keys', 'rotate', oldId, '--grace', '24h', '--json'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const old = key;
    key = (JSON.parse(rotated.stdout) as { key: string }).key;
    const revoked = await runCli(['keys', 'revoke', oldId], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    await eventually('the old key is refused', async () =>
      (await get('/weather/today', { apikey: old })).status === 401 ? true : undefined,
    );
    assert.equal((await get('/weather/today', { apikey: key })).status, 200);
  });

  it('what happened: the demo answers 503 when asked, and keyway logs --status 5xx shows it', async () => {
    assert.equal((await get('/weather/today?status=503', { apikey: key })).status, 503);
    const shown = await eventually('the 503 is recorded', async () => {
      const r = await runCli(['logs', '--status', '5xx', '--since', '10m'], env);
      return r.code === 0 && / 503 +GET +\/weather\/today/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.doesNotMatch(shown, new RegExp(key), 'no key in the logs');
  });

  const hasMock = (AI_PROVIDER_TYPES as readonly string[]).includes('mock');

  it('one API for every model: ai.yaml adds to the workspace; the consumer, app and key stay', async (t) => {
    // The mock provider is built on another branch; until it is here, the rest of the file is tried.
    if (!hasMock)
      t.diagnostic('no mock AI provider in this build: applying ai.yaml without its AI resources');
    const file = write(steps[2], (doc) => {
      if (hasMock) return;
      delete doc['ai_providers'];
      delete doc['ai_models'];
    });
    const dry = await runCli(['apply', '-f', file, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.doesNotMatch(dry.stdout, /^- /m, `nothing is deleted:\n${dry.stdout}`);
    assert.match(dry.stdout, /^\+ service ai$/m);
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, / 0 deleted /);

    // Everything of the keys section is still there and working.
    const again = await runCli(['apply', '-f', join(dir, 'weather.yaml'), '--dry-run'], env);
    assert.match(
      again.stdout,
      /^- service ai$/m,
      'weather.yaml is the whole workspace: it would remove the ai part',
    );
    assert.doesNotMatch(again.stdout, /^- (consumer|app |plugin key-auth@route)/m);
    assert.equal((await get('/weather/today', { apikey: key })).status, 200);
  });

  it(
    'one API for every model: the mock model answers a chat completion with the same key',
    {
      skip: hasMock ? false : 'needs the mock AI provider (built on another branch)',
    },
    async () => {
      const chat = await eventually('the AI route answers', async () => {
        const res = await request(`${kw.proxyUrl}/ai/v1/chat/completions`, {
          method: 'POST',
          headers: { apikey: key, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] }),
        });
        const body = await res.body.text();
        return res.statusCode === 200 ? body : undefined;
      });
      assert.match(chat, /"choices"/);
    },
  );
});
