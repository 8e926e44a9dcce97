/**
 * Journey 8 (teams) against a real `keyway start` process: two workspaces serve traffic on their own hosts;
 * a team admin made through the admin API logs in with a password, sees their workspace's call records and
 * analytics and nothing of the other's, and is refused every view across workspaces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

interface Records {
  data: Array<{ workspace: string; route: string; status: number }>;
}

describe('teams end to end', () => {
  let echo: TestServer;
  let kw: KeywayProcess;

  async function admin<T>(method: string, path: string, body?: unknown, token = kw.token) {
    const res = await request(`${kw.adminUrl}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  before(async () => {
    echo = await startEcho();
    kw = await startKeyway();
    for (const ws of ['shop', 'blog']) {
      assert.equal((await admin('POST', '/workspaces', { name: ws })).status, 201);
      await admin('POST', `/workspaces/${ws}/services`, { name: 'site', url: `http://${echo.address}` });
      const route = await admin('POST', `/workspaces/${ws}/routes`, {
        name: 'api',
        service: 'site',
        paths: ['/api'],
        hosts: [`${ws}.example.com`],
      });
      assert.equal(route.status, 201);
    }
    // Both workspaces serve the same path, each on its own host.
    for (const ws of ['shop', 'blog', 'shop']) {
      for (let i = 0; i < 50; i++) {
        const res = await request(`${kw.proxyUrl}/api/x`, { headers: { host: `${ws}.example.com` } });
        await res.body.text();
        if (res.statusCode === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  after(async () => {
    await kw.stop();
    await echo.close();
  });

  it('a team admin logs in, sees their workspace only, and is refused the other', async () => {
    const password = 'team shop password 2026';
    const user = await admin('POST', '/admins', {
      name: 'rita',
      password,
      grants: [{ workspace: 'shop', role: 'workspace_admin' }],
    });
    assert.equal(user.status, 201);
    const login = await request(`${kw.adminUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'rita', password }),
    });
    assert.equal(login.statusCode, 200);
    const session = ((await login.body.json()) as { token: string }).token;

    // Records are written in batches: wait until both workspaces' are in.
    let all: Records = { data: [] };
    for (let i = 0; i < 100; i++) {
      all = (await admin<Records>('GET', '/logs?since=1h&limit=1000')).body;
      const seen = new Set(all.data.map((r) => r.workspace));
      if (seen.has('shop') && seen.has('blog')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(all.data.some((r) => r.workspace === 'blog'));

    const mine = await admin<Records>('GET', '/workspaces/shop/logs?since=1h&limit=1000', undefined, session);
    assert.equal(mine.status, 200);
    assert.ok(mine.body.data.length >= 1);
    assert.ok(mine.body.data.every((r) => r.workspace === 'shop'));

    for (const path of [
      '/workspaces/blog/logs?since=1h',
      '/logs?since=1h',
      '/analytics/summary?workspace=blog',
      '/analytics/summary',
      '/alerts/rules',
      '/audit-log',
      '/audit-log?workspace=blog',
      '/workspaces/blog/routes',
      '/workspaces/blog/history',
      '/metrics',
    ]) {
      const res = await admin<{ error: { code: string } }>('GET', path, undefined, session);
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error.code, 'KW_ERR_ADMIN_FORBIDDEN', path);
    }
    const summary = await admin<{ total: { count: number } }>(
      'GET',
      '/analytics/summary?workspace=shop&since=1h',
      undefined,
      session,
    );
    assert.equal(summary.status, 200);
    const listed = await admin<{ data: Array<{ name: string }> }>('GET', '/workspaces', undefined, session);
    assert.deepEqual(
      listed.body.data.map((w) => w.name),
      ['shop'],
    );
    // A change by the team admin is theirs in the audit log and in the history.
    const renamed = await admin('PATCH', '/workspaces/shop/routes/api', { paths: ['/api', '/v2'] }, session);
    assert.equal(renamed.status, 200);
    const history = await admin<{ data: Array<{ actor: string }> }>(
      'GET',
      '/workspaces/shop/history?limit=1',
    );
    assert.match(history.body.data[0]?.actor ?? '', /^rita \(token [0-9a-f-]{36}\)$/);
    assert.ok(!kw.output().includes(session));
    assert.ok(!kw.output().includes(password));
  });
});
