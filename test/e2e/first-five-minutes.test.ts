// Journey 1 of SCENARIOS.md, as a newcomer runs it: start, apply a YAML file, curl through the proxy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { request } from 'undici';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';

describe('first five minutes', () => {
  let backend: TestServer;
  let kw: KeywayProcess;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    backend = await startEcho('weather-backend');
    kw = await startKeyway();
    dir = mkdtempSync(join(tmpdir(), 'keyway-yaml-'));
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
  });
  after(async () => {
    await kw.stop();
    await backend.close();
  });

  it('prints where it listens and where the admin token is', () => {
    assert.match(kw.output(), /proxy\s+http:\/\/127\.0\.0\.1:\d+/);
    assert.match(kw.output(), /admin token\s+.*admin-token \(created now, mode 0600\)/);
    assert.doesNotMatch(kw.output(), new RegExp(kw.token), 'the token itself is never printed');
  });

  it('applies weather.yaml after a dry run, and the proxy answers from the backend', async () => {
    const file = join(dir, 'weather.yaml');
    writeFileSync(
      file,
      [
        '_format_version: "1"',
        'services:',
        '  - name: weather',
        `    url: http://${backend.address}`,
        '    routes:',
        '      - name: weather',
        '        paths: [/weather]',
        '',
      ].join('\n'),
    );
    const dry = await runCli(['apply', '-f', file, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\+ service weather/);
    assert.match(dry.stdout, /\+ route weather/);
    assert.equal(
      (await request(`${kw.proxyUrl}/weather/today`)).statusCode,
      404,
      'a dry run changes nothing',
    );

    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr);
    const res = await request(`${kw.proxyUrl}/weather/today`);
    assert.equal(res.statusCode, 200);
    const echo = (await res.body.json()) as Echo;
    assert.equal(echo.server, 'weather-backend');
    assert.equal(echo.url, '/today');

    const again = await runCli(['apply', '-f', file], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /0 to create, 0 to update, 0 to delete|no changes/i);
  });

  it('reports a typo with file, line and reason, and changes nothing', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(
      file,
      [
        '_format_version: "1"',
        'services:',
        '  - name: weather',
        `    url: http://${backend.address}`,
        '    routes:',
        '      - name: weather',
        '        pathz: [/weather]',
        '',
      ].join('\n'),
    );
    const r = await runCli(['apply', '-f', file], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, new RegExp(`${file.replace(/[/.]/g, '\\$&')}:7:\\d+`));
    assert.match(r.stderr + r.stdout, /pathz/);
    assert.equal(
      (await request(`${kw.proxyUrl}/weather/today`)).statusCode,
      200,
      'the previous config still serves',
    );
  });

  it('exports what apply takes back unchanged', async () => {
    const exported = await runCli(['export'], env);
    assert.equal(exported.code, 0, exported.stderr);
    const file = join(dir, 'exported.yaml');
    writeFileSync(file, exported.stdout);
    const r = await runCli(['apply', '-f', file, '--dry-run'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /0 to create, 0 to update, 0 to delete|no changes/i);
  });

  it('drains an in-flight request on SIGTERM and exits 0', async () => {
    // A slow backend: the answer comes only after the signal was sent.
    let release: (() => void) | undefined;
    const { startServer } = await import('../helpers/upstream.js');
    const slow = await startServer((_req, res) => {
      release = () => res.end('finished');
    });
    const other = await startKeyway();
    try {
      const auth = { authorization: `Bearer ${other.token}`, 'content-type': 'application/json' };
      await request(`${other.adminUrl}/services`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'slow', url: `http://${slow.address}` }),
      });
      const created = await request(`${other.adminUrl}/routes`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'slow', service: 'slow', paths: ['/slow'] }),
      });
      assert.equal(created.statusCode, 201);
      const inFlight = request(`${other.proxyUrl}/slow`);
      while (release === undefined) await new Promise((r) => setTimeout(r, 5));
      const exit = other.stop('SIGTERM');
      // The listener closes at once while the in-flight request is still being served: wait for that.
      await listenerClosed(other.proxyUrl);
      release();
      const res = await inFlight;
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'finished');
      assert.equal(await exit, 0);
    } finally {
      await other.stop();
      await slow.close();
    }
  });
});

/** Resolves once new connections to the URL's port are refused (bounded: 10 s). */
async function listenerClosed(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(Number(port), hostname);
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('listener still accepting after 10 s');
}
