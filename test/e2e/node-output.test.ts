/**
 * What a real `keyway start` writes to stdout, where log collectors read JSON lines: every line parses as
 * JSON (the banner is for people and goes to stderr), nothing a library prints on its own (ajv's
 * "unknown format" warnings) slips in, and the admin request log names paths, never query strings, so a
 * token sent the wrong way (`?token=…`) does not end up in the log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';

const QUERY_SECRET = 'kw-query-secret-6c1f0e9a2b7d';

describe('node output', () => {
  let kw: KeywayProcess;

  before(async () => {
    // debug: successful reads are logged at debug (src/admin/request-log.ts), and their URLs must be clean too.
    kw = await startKeyway({ env: { KEYWAY_LOG_LEVEL: 'debug' } });
  });
  after(async () => {
    await kw.stop();
  });

  async function admin(method: string, path: string, body?: unknown): Promise<number> {
    const res = await request(`${kw.adminUrl}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${kw.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    await res.body.dump();
    return res.statusCode;
  }

  /** Waits until stdout holds a line matching `re` (logs are written asynchronously). */
  async function waitForLine(re: RegExp): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!re.test(kw.stdout())) {
      if (Date.now() > deadline) assert.fail(`no stdout line matching ${String(re)}:\n${kw.stdout()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('writes only JSON lines to stdout, also after routes whose schemas use formats', async () => {
    // Bodies whose schemas carry `format`: date-time (keys) and iana-time-zone (plan quotas).
    assert.equal(await admin('POST', '/consumers', { username: 'acme' }), 201);
    assert.equal(await admin('POST', '/apps', { name: 'dash', consumer: 'acme' }), 201);
    assert.equal(
      await admin('POST', '/apps/dash/keys', { expires_at: '2099-01-01T00:00:00Z' }),
      201,
      'key with expires_at',
    );
    assert.equal(
      await admin('POST', '/plans', {
        name: 'free',
        quotas: [{ limit: 1000, period: 'day', time_zone: 'Europe/Paris' }],
      }),
      201,
    );
    await waitForLine(/"url":"\/plans"/);
    const lines = kw
      .stdout()
      .split('\n')
      .filter((l) => l !== '');
    assert.ok(lines.length > 0, 'the request log is on stdout');
    for (const line of lines) {
      assert.doesNotThrow(() => JSON.parse(line) as unknown, `not JSON on stdout: ${line}`);
    }
    // ajv's console warnings are raw text wherever they land (console.warn: stderr); none may be printed.
    assert.doesNotMatch(kw.output(), /unknown format/);
    assert.match(kw.output(), /Keyway \S+ is running/, 'the banner is still printed (on stderr)');
  });

  it('logs admin requests by path, without the query string', async () => {
    assert.equal(await admin('GET', `/status?token=${QUERY_SECRET}`), 400);
    assert.equal(await admin('GET', `/services?limit=5&name=${QUERY_SECRET}`), 200);
    await waitForLine(/"url":"\/services"/);
    assert.doesNotMatch(kw.output(), new RegExp(QUERY_SECRET));
    const urls = kw
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"url"'))
      .map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url);
    assert.ok(urls.includes('/status'), JSON.stringify(urls));
    assert.ok(
      urls.every((u) => u === undefined || !u.includes('?')),
      JSON.stringify(urls),
    );
  });
});
