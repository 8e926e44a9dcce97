/**
 * Journey 5 against a real `keyway start` process: calls with a key, SIGTERM, restart — the records are
 * in the store; `keyway logs --status 5xx --since 2h` shows the failing calls through the CLI; `/metrics`
 * scrapes with the metrics token; and the key appears nowhere in anything the node printed or answered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { deadPort, startEcho, type TestServer } from '../helpers/upstream.js';

const METRICS_TOKEN = 'metrics-token-for-scrapers-0123456789';

describe('call logs end to end', () => {
  let echo: TestServer;
  let kw: KeywayProcess;
  let key = '';
  const seen: string[] = [];
  const env = { KEYWAY_METRICS_TOKEN: METRICS_TOKEN, KEYWAY_LOG_LEVEL: 'debug' };

  async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await request(`${kw.adminUrl}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${kw.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    seen.push(text);
    assert.ok(res.statusCode < 300, `${method} ${path}: ${res.statusCode} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  before(async () => {
    echo = await startEcho();
    kw = await startKeyway({ env });
    const dead = await deadPort();
    await admin('POST', '/services', { name: 'weather', url: `http://${echo.address}` });
    await admin('POST', '/services', { name: 'broken', url: `http://127.0.0.1:${dead}` });
    await admin('POST', '/routes', { name: 'weather', service: 'weather', paths: ['/weather'] });
    await admin('POST', '/routes', { name: 'broken', service: 'broken', paths: ['/broken'] });
    await admin('POST', '/consumers', { username: 'acme' });
    await admin('POST', '/apps', { name: 'acme-dashboard', consumer: 'acme' });
    await admin('POST', '/plugins', { name: 'key-auth', route: 'weather' });
    await admin('POST', '/plugins', { name: 'key-auth', route: 'broken' });
    key = (await admin<{ key: string }>('POST', '/apps/acme-dashboard/keys', {})).key;
    seen.pop(); // the one answer that shows the key, by design
    for (let i = 0; i < 50; i++) {
      const res = await request(`${kw.proxyUrl}/weather/today`, { headers: { apikey: key } });
      await res.body.text();
      if (res.statusCode === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await kw.stop();
    await echo.close();
  });

  it('keeps every record across a SIGTERM restart and shows the 5xx through the CLI', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await request(`${kw.proxyUrl}/weather/today`, { headers: { apikey: key } });
      assert.equal(r.statusCode, 200);
      await r.body.text();
    }
    // key-auth reads no query parameter by default: a 401, and the key in the URL must not be recorded.
    const inQuery = await request(`${kw.proxyUrl}/weather/today?apikey=${key}`);
    await inQuery.body.text();
    for (let i = 0; i < 3; i++) {
      const r = await request(`${kw.proxyUrl}/broken/x`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(r.statusCode, 502);
      await r.body.text();
    }
    const r401 = await request(`${kw.proxyUrl}/weather/today`, {
      headers: { apikey: key.slice(0, -2) + 'xx' },
    });
    assert.equal(r401.statusCode, 401);
    await r401.body.text();

    // Straight to SIGTERM: nothing has been flushed by a timer yet (1 s interval) and nothing may be lost.
    assert.equal(await kw.stop(), 0);
    seen.push(kw.output());
    kw = await startKeyway({ env, dataDir: kw.dataDir });

    const page = await admin<{ data: Array<{ status: number; route: string; consumer: string }> }>(
      'GET',
      '/logs?since=2h&limit=1000',
    );
    assert.equal(page.data.filter((r) => r.route === 'weather' && r.status === 200).length >= 20, true);
    assert.equal(page.data.filter((r) => r.status === 502).length, 3);
    assert.equal(page.data.filter((r) => r.status === 401).length, 2);

    const cli = await runCli(['logs', '--status', '5xx', '--since', '2h'], {
      KEYWAY_ADMIN_URL: kw.adminUrl,
      KEYWAY_ADMIN_TOKEN: kw.token,
    });
    seen.push(cli.stdout, cli.stderr);
    assert.equal(cli.code, 0, cli.stderr);
    const lines = cli.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.match(
        line,
        /\s502\s+GET\s+\/broken\/x\s+route=broken\s+consumer=acme\s+target=127\.0\.0\.1:\d+/,
      );
      assert.match(line, /gw [\d.]+ up [\d.]+/);
      assert.match(line, /KW_ERR_UPSTREAM_UNAVAILABLE/);
    }
    const json = await runCli(['logs', '--status', '4xx', '--since', '2h', '--json'], {
      KEYWAY_ADMIN_URL: kw.adminUrl,
      KEYWAY_ADMIN_TOKEN: kw.token,
    });
    seen.push(json.stdout);
    const denied = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { auth: string; auth_reason: string; path: string });
    assert.equal(denied.length, 2);
    assert.ok(denied.every((d) => d.auth === 'denied' && d.path === '/weather/today'));
  });

  it('serves /metrics to the metrics token and refuses it without one', async () => {
    const res = await request(`${kw.adminUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await res.body.text();
    seen.push(text);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    for (const s of samples) assert.match(s, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+$/, s);
    assert.ok(samples.some((s) => s.startsWith('keyway_store_reachable 1')));
    assert.ok(samples.some((s) => s.startsWith('keyway_config_version ')));
    const anon = await request(`${kw.adminUrl}/metrics`);
    await anon.body.text();
    assert.equal(anon.statusCode, 401);
  });

  it('never shows the key in a record, an answer, a CLI line or a log line', () => {
    seen.push(kw.output());
    const all = seen.join('\n');
    assert.ok(all.length > 1000);
    assert.equal(all.includes(key), false);
    assert.equal(all.includes(key.slice(0, -2) + 'xx'), false);
  });
});
