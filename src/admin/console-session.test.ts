/**
 * The console's session cookie: sign-in by password or token sets an HttpOnly, SameSite=Strict cookie;
 * the cookie authenticates admin calls; a change without the CSRF token (or with another session's) is
 * 403 KW_ERR_CSRF and changes nothing; sign-out revokes a login's session and leaves a pasted token alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAdmin, type AdminHarness } from '../../test/helpers/admin-harness.js';
import { CONSOLE_SESSION_PATH, CSRF_HEADER, SESSION_COOKIE, csrfTokenFor } from './console-session.js';

const PASSWORD = 'correct horse battery staple';

interface SessionBody {
  user: string;
  csrf_token: string;
  grants: Array<{ workspace: string; role: string }>;
}

describe('console session (cookie + CSRF)', () => {
  let h: AdminHarness;
  before(async () => {
    h = await startAdmin();
    const made = await h.app.inject({
      method: 'POST',
      url: '/admins',
      headers: h.auth,
      payload: {
        name: 'rita',
        grants: [{ workspace: 'default', role: 'workspace_admin' }],
        password: PASSWORD,
      },
    });
    assert.equal(made.statusCode, 201, made.body);
  });
  after(async () => h.close());

  const signIn = async (payload: object) => {
    const res = await h.app.inject({ method: 'POST', url: CONSOLE_SESSION_PATH, payload });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    return { res, cookie, body: res.json<SessionBody>() };
  };

  it('signs in with a password: an HttpOnly, SameSite=Strict cookie, never the token in the body', async () => {
    const { res, cookie, body } = await signIn({ user: 'rita', password: PASSWORD });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(cookie !== undefined);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.match(cookie.value, /^kwadm_/);
    assert.equal(body.user, 'rita');
    assert.equal(body.csrf_token, csrfTokenFor(cookie.value));
    assert.ok(!res.body.includes(cookie.value), 'the token is in the cookie only');
  });

  it('a wrong password is 401 KW_ERR_ADMIN_LOGIN_FAILED and sets no cookie', async () => {
    const { res, cookie } = await signIn({ user: 'rita', password: 'not the password at all' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'KW_ERR_ADMIN_LOGIN_FAILED');
    assert.equal(cookie, undefined);
  });

  it('names the missing field, and refuses a token with a password', async () => {
    const missing = await signIn({ user: 'rita' });
    assert.equal(missing.res.statusCode, 400);
    assert.match(missing.res.body, /\/password/);
    const both = await signIn({ user: 'rita', password: PASSWORD, token: h.token });
    assert.equal(both.res.statusCode, 400);
    assert.match(both.res.body, /\/token/);
  });

  it('the cookie authenticates reads; a change needs the CSRF token of that same session', async () => {
    const { cookie, body } = await signIn({ user: 'rita', password: PASSWORD });
    assert.ok(cookie !== undefined);
    const cookies = { [SESSION_COOKIE]: cookie.value };
    const read = await h.app.inject({ method: 'GET', url: '/services', cookies });
    assert.equal(read.statusCode, 200, read.body);

    const service = { name: 'weather', url: 'http://127.0.0.1:9' };
    const noCsrf = await h.app.inject({ method: 'POST', url: '/services', cookies, payload: service });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(noCsrf.json<{ error: { code: string } }>().error.code, 'KW_ERR_CSRF');
    const other = await signIn({ token: h.token });
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/services',
      cookies,
      headers: { [CSRF_HEADER]: other.body.csrf_token },
      payload: service,
    });
    assert.equal(wrong.statusCode, 403);
    const listed = await h.app.inject({ method: 'GET', url: '/services', headers: h.auth });
    assert.equal(listed.json<{ total: number }>().total, 0, 'a refused change changed nothing');

    const ok = await h.app.inject({
      method: 'POST',
      url: '/services',
      cookies,
      headers: { [CSRF_HEADER]: body.csrf_token },
      payload: service,
    });
    assert.equal(ok.statusCode, 201, ok.body);
    // The audit log names the user behind the cookie, as for any of their tokens.
    const audit = await h.app.inject({ method: 'GET', url: '/audit-log?workspace=default', headers: h.auth });
    assert.match(audit.body, /rita \(token /);
  });

  it('the roles of the user hold through the cookie', async () => {
    const { cookie, body } = await signIn({ user: 'rita', password: PASSWORD });
    assert.ok(cookie !== undefined);
    // Alert rules are node-wide: a workspace admin's roles do not reach them, cookie or not.
    const res = await h.app.inject({
      method: 'GET',
      url: '/alerts/rules',
      cookies: { [SESSION_COOKIE]: cookie.value },
      headers: { [CSRF_HEADER]: body.csrf_token },
    });
    assert.equal(res.statusCode, 403);
  });

  it('GET says who is signed in; without a cookie it is 401', async () => {
    const none = await h.app.inject({ method: 'GET', url: CONSOLE_SESSION_PATH });
    assert.equal(none.statusCode, 401);
    const { cookie } = await signIn({ token: h.token });
    assert.ok(cookie !== undefined);
    const me = await h.app.inject({
      method: 'GET',
      url: CONSOLE_SESSION_PATH,
      cookies: { [SESSION_COOKIE]: cookie.value },
    });
    assert.equal(me.statusCode, 200);
    assert.deepEqual(me.json<SessionBody>().grants, [{ workspace: '*', role: 'super_admin' }]);
  });

  it("signing out revokes a login's session; a pasted token keeps working for its scripts", async () => {
    const login = await signIn({ user: 'rita', password: PASSWORD });
    assert.ok(login.cookie !== undefined);
    const cookies = { [SESSION_COOKIE]: login.cookie.value };
    const noCsrf = await h.app.inject({ method: 'DELETE', url: CONSOLE_SESSION_PATH, cookies });
    assert.equal(noCsrf.statusCode, 403);
    const out = await h.app.inject({
      method: 'DELETE',
      url: CONSOLE_SESSION_PATH,
      cookies,
      headers: { [CSRF_HEADER]: login.body.csrf_token },
    });
    assert.equal(out.statusCode, 204);
    assert.equal(out.cookies.find((c) => c.name === SESSION_COOKIE)?.maxAge, 0);
    const after = await h.app.inject({ method: 'GET', url: '/services', cookies });
    assert.equal(after.statusCode, 401, 'the session is revoked, not only forgotten by the browser');

    const pasted = await signIn({ token: h.token });
    assert.ok(pasted.cookie !== undefined);
    await h.app.inject({
      method: 'DELETE',
      url: CONSOLE_SESSION_PATH,
      cookies: { [SESSION_COOKIE]: pasted.cookie.value },
      headers: { [CSRF_HEADER]: pasted.body.csrf_token },
    });
    const still = await h.app.inject({ method: 'GET', url: '/services', headers: h.auth });
    assert.equal(still.statusCode, 200);
  });
});
