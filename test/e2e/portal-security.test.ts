// The portal's security model, tried as an attacker would over real HTTP against `keyway start`: forged
// state changes (no CSRF token, another site's Origin or Referer, a token planted from another session),
// one developer reaching for another's apps, keys, subscriptions and usage, password guessing against
// one account (lockout) and across accounts from one address (throttle), session rotation and sign-out,
// the password-reset link (outbox only, never in the log, single-use, tamper-proof), Secure cookies behind
// a TLS-terminating proxy, an admin disabling an account, and email verification when it is required.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { PortalBrowser, codeOf } from '../helpers/portal-browser.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const API = '/portal/api';
const PASSWORD = 'correct horse battery staple';

async function adminCall(kw: KeywayProcess, method: string, path: string, body?: unknown) {
  const res = await request(`${kw.adminUrl}${path}`, {
    method: method as 'GET',
    headers: {
      authorization: `Bearer ${kw.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

/** A browser behind the trusted proxy at 127.0.0.1, coming from `ip`. */
function from(portal: string, ip: string): PortalBrowser {
  const b = new PortalBrowser(portal);
  const send = b.send.bind(b);
  b.send = (method, path, body, opts = {}) =>
    send(method, path, body, { ...opts, headers: { ...opts.headers, 'x-forwarded-for': ip } });
  return b;
}

describe('developer portal: security', () => {
  let kw: KeywayProcess;
  let backend: TestServer;
  let portal: string;

  before(async () => {
    backend = await startEcho('weather');
    kw = await startKeyway({
      env: {
        KEYWAY_LOG_LEVEL: 'info',
        KEYWAY_TRUSTED_PROXIES: '127.0.0.1',
        KEYWAY_PORTAL_LOGIN_MAX_FAILURES: '3',
        KEYWAY_PORTAL_LOGIN_IP_MAX_FAILURES: '8',
      },
    });
    portal = kw.portalUrl ?? '';
    const applied = await adminCall(kw, 'POST', '/config', {
      _format_version: '1',
      services: [
        {
          name: 'weather',
          url: `http://${backend.address}`,
          visibility: 'public',
          approval: 'auto',
          subscription_required: true,
          routes: [{ name: 'weather', paths: ['/weather'], plugins: [{ name: 'key-auth' }] }],
        },
      ],
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.json));
  });
  after(async () => {
    await kw?.stop();
    await backend?.close();
  });

  it('refuses forged state changes before reading them, and asks for a session', async () => {
    const alice = from(portal, '10.1.0.1');
    assert.equal((await alice.signUp('alice@example.com', PASSWORD)).status, 201);
    const mallory = from(portal, '10.1.0.2');
    assert.equal((await mallory.signUp('mallory@example.com', PASSWORD)).status, 201);

    const forged = [
      await alice.post(`${API}/apps`, { name: 'a' }, { csrf: null }),
      await alice.post(`${API}/apps`, { name: 'b' }, { csrf: 'not-the-token' }),
      await alice.post(`${API}/apps`, { name: 'c' }, { origin: 'https://evil.example' }),
      await alice.post(
        `${API}/apps`,
        { name: 'd' },
        { origin: null, headers: { referer: 'https://evil.example/page' } },
      ),
    ];
    // A CSRF cookie planted from Mallory's session (a sibling subdomain can write cookies): it matches the
    // header it is copied into, but it is not the token Alice's session was issued with.
    const planted = new PortalBrowser(portal);
    planted.jar.set('kw_portal_session', alice.cookie('kw_portal_session') ?? '');
    planted.jar.set('kw_portal_csrf', mallory.cookie('kw_portal_csrf') ?? '');
    forged.push(await planted.post(`${API}/apps`, { name: 'e' }));
    for (const answer of forged) {
      assert.equal(answer.status, 403, JSON.stringify(answer.json));
      assert.equal(codeOf(answer), 'KW_ERR_PORTAL_CSRF');
    }
    assert.deepEqual((await alice.get(`${API}/apps`)).json['data'], [], 'nothing was created');
    // The same call, as the portal's pages send it, passes.
    assert.equal((await alice.post(`${API}/apps`, { name: 'real' })).status, 201);

    const stranger = new PortalBrowser(portal);
    const signedOut = await stranger.get(`${API}/apps`);
    assert.equal(signedOut.status, 401);
    assert.equal(codeOf(signedOut), 'KW_ERR_PORTAL_SIGNED_OUT');
  });

  it("keeps one developer out of another's apps, keys, subscriptions and usage", async () => {
    const ann = from(portal, '10.2.0.1');
    assert.equal((await ann.signUp('ann@example.com', PASSWORD)).status, 201);
    assert.equal((await ann.post(`${API}/apps`, { name: 'dash' })).status, 201);
    const issued = await ann.post(`${API}/apps/default/dash/keys`, {});
    const annKey = issued.json['key'] as string;
    const annKeyId = (issued.json['record'] as { id: string }).id;
    const sub = await ann.post(`${API}/apps/default/dash/subscriptions`, { service: 'weather' });
    assert.equal(sub.json['status'], 'approved', 'auto approval');
    const annSub = sub.json['id'] as string;

    const bob = from(portal, '10.2.0.2');
    assert.equal((await bob.signUp('bob@example.com', PASSWORD)).status, 201);
    assert.equal((await bob.post(`${API}/apps`, { name: 'tools' })).status, 201);
    const annConsumer = (await adminCall(kw, 'GET', '/portal/developers')).json['data'] as Array<{
      email: string;
      consumer: string;
    }>;
    const annStored = `${annConsumer.find((d) => d.email === 'ann@example.com')?.consumer ?? ''}.dash`;

    const attempts = [
      await bob.get(`${API}/apps/default/dash`),
      await bob.get(`${API}/apps/default/${annStored}`),
      await bob.patch(`${API}/apps/default/dash`, { description: 'mine now' }),
      await bob.delete(`${API}/apps/default/dash`),
      await bob.get(`${API}/apps/default/dash/keys`),
      await bob.post(`${API}/apps/default/dash/keys`, {}),
      await bob.post(`${API}/apps/default/tools/keys/${annKeyId}/rotate`, {}),
      await bob.delete(`${API}/apps/default/tools/keys/${annKeyId}`),
      await bob.get(`${API}/apps/default/tools/usage?key=${annKeyId}`),
      await bob.get(`${API}/apps/default/dash/usage`),
      await bob.post(`${API}/apps/default/dash/subscriptions`, { service: 'weather' }),
      await bob.delete(`${API}/subscriptions/default/${annSub}`),
    ];
    for (const a of attempts) {
      assert.equal(a.status, 404, JSON.stringify(a.json));
      assert.equal(codeOf(a), 'KW_ERR_NOT_FOUND');
    }
    const bobApps = (await bob.get(`${API}/apps`)).json['data'] as Array<{ name: string }>;
    assert.deepEqual(
      bobApps.map((a) => a.name),
      ['tools'],
    );
    assert.deepEqual((await bob.get(`${API}/subscriptions`)).json['data'], []);
    // Ann's key, app and subscription are untouched.
    const call = await request(`${kw.proxyUrl}/weather/x`, { headers: { apikey: annKey } });
    await call.body.text();
    assert.equal(call.statusCode, 200);
    assert.equal(((await ann.get(`${API}/subscriptions`)).json['data'] as unknown[]).length, 1);
  });

  it('locks an account after repeated failures, and throttles an address across accounts', async () => {
    const owner = from(portal, '10.3.0.1');
    assert.equal((await owner.signUp('carol@example.com', PASSWORD)).status, 201);
    const guesser = from(portal, '10.3.0.2');
    for (let i = 0; i < 2; i++) {
      const wrong = await guesser.signIn('carol@example.com', `wrong password ${i}!`);
      assert.equal(wrong.status, 401);
      assert.equal(codeOf(wrong), 'KW_ERR_PORTAL_LOGIN_FAILED');
    }
    const locked = await guesser.signIn('carol@example.com', 'wrong password 3!');
    assert.equal(locked.status, 429);
    assert.equal(codeOf(locked), 'KW_ERR_PORTAL_LOCKED_OUT');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    // Locked, even with the right password, from anywhere.
    const still = await from(portal, '10.3.0.3').signIn('carol@example.com', PASSWORD);
    assert.equal(codeOf(still), 'KW_ERR_PORTAL_LOCKED_OUT');
    // An unknown email gets the answer a wrong password gets.
    const unknown = await from(portal, '10.3.0.4').signIn('nobody@example.com', PASSWORD);
    assert.equal(unknown.status, 401);
    assert.equal(codeOf(unknown), 'KW_ERR_PORTAL_LOGIN_FAILED');

    // Credential stuffing: many accounts from one address.
    const stuffer = from(portal, '10.4.0.1');
    let last = await stuffer.signIn('user0@example.com', PASSWORD);
    for (let i = 1; i < 9; i++) last = await stuffer.signIn(`user${i}@example.com`, PASSWORD);
    assert.equal(last.status, 429, JSON.stringify(last.json));
    assert.equal(codeOf(last), 'KW_ERR_PORTAL_LOGIN_THROTTLED');
    assert.ok(Number(last.headers['retry-after']) > 0);
    // Another address is not throttled by it.
    const dave = from(portal, '10.4.0.2');
    assert.equal((await dave.signUp('dave@example.com', PASSWORD)).status, 201);
    assert.equal((await from(portal, '10.4.0.3').signIn('dave@example.com', PASSWORD)).status, 200);
  });

  it('rotates the session id at sign-in and forgets it at sign-out; Secure behind a TLS proxy', async () => {
    const erin = from(portal, '10.5.0.1');
    assert.equal((await erin.signUp('erin@example.com', PASSWORD)).status, 201);
    const first = erin.cookie('kw_portal_session');
    const again = await erin.signIn('erin@example.com', PASSWORD);
    assert.equal(again.status, 200);
    const second = erin.cookie('kw_portal_session');
    assert.ok(first !== undefined && second !== undefined && first !== second);
    const replay = new PortalBrowser(portal);
    replay.jar.set('kw_portal_session', first);
    assert.equal((await replay.get(`${API}/apps`)).status, 401, 'the replaced session is gone');
    assert.equal((await erin.post(`${API}/logout`)).status, 204);
    replay.jar.set('kw_portal_session', second);
    assert.equal(
      (await replay.get(`${API}/apps`)).status,
      401,
      'signed out on the server, not just the cookie',
    );

    const tls = from(portal, '10.5.0.2');
    const behind = await tls.send('GET', `${API}/session`, undefined, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.match(behind.setCookies.join('\n'), /kw_portal_csrf=[^;]+;.*Secure/);
  });

  it('resets a password through a signed, single-use link that only the outbox holds', async () => {
    const frank = from(portal, '10.6.0.1');
    assert.equal((await frank.signUp('frank@example.com', PASSWORD)).status, 201);
    const anyone = from(portal, '10.6.0.2');
    await anyone.get(`${API}/session`);
    const asked = await anyone.post(`${API}/password-reset`, { email: 'Frank@Example.com' });
    const nobody = await anyone.post(`${API}/password-reset`, { email: 'ghost@example.com' });
    assert.deepEqual([asked.status, nobody.status], [202, 202]);
    assert.deepEqual(asked.json, nobody.json, 'the answer does not tell which accounts exist');

    const outbox = await adminCall(kw, 'GET', '/portal/outbox?to=frank@example.com');
    const messages = outbox.json['data'] as Array<{ body: string; purpose: string }>;
    assert.equal(messages.length, 1);
    assert.equal(
      (await adminCall(kw, 'GET', '/portal/outbox?to=ghost@example.com')).json['data'] instanceof Array,
      true,
    );
    const token = /token=([^\s]+)/.exec(messages[0]?.body ?? '')?.[1] ?? '';
    assert.match(messages[0]?.body ?? '', new RegExp(`${portal}/reset-password\\?token=`));
    assert.ok(token.length > 40);
    // The log says a link was written, never the link.
    assert.match(kw.stdout(), /password-reset link written to the outbox/);
    assert.ok(!kw.output().includes(token), 'no token in the log');

    const [id, exp, sig] = token.split('.');
    const tampered = await anyone.post(`${API}/password-reset/confirm`, {
      token: `${id}.${Number(exp) + 86_400_000}.${sig}`,
      password: 'a brand new password',
    });
    assert.equal(tampered.status, 400);
    assert.equal(codeOf(tampered), 'KW_ERR_PORTAL_LINK_INVALID');

    const reset = await anyone.post(`${API}/password-reset/confirm`, {
      token,
      password: 'a brand new password',
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.json));
    assert.equal((reset.json['developer'] as { email: string }).email, 'frank@example.com');
    const reused = await from(portal, '10.6.0.3').post(
      `${API}/password-reset/confirm`,
      { token, password: 'yet another password' },
      {},
    );
    assert.equal(codeOf(reused), 'KW_ERR_PORTAL_CSRF', 'a fresh browser has no CSRF cookie yet');
    const second = from(portal, '10.6.0.3');
    await second.get(`${API}/session`);
    const again = await second.post(`${API}/password-reset/confirm`, {
      token,
      password: 'yet another password',
    });
    assert.equal(again.status, 400);
    assert.equal(codeOf(again), 'KW_ERR_PORTAL_LINK_INVALID', 'single-use');
    // Frank's old session ended with the reset; the old password no longer works, the new one does.
    assert.equal((await frank.get(`${API}/apps`)).status, 401);
    assert.equal(
      codeOf(await from(portal, '10.6.0.4').signIn('frank@example.com', PASSWORD)),
      'KW_ERR_PORTAL_LOGIN_FAILED',
    );
    assert.equal(
      (await from(portal, '10.6.0.5').signIn('frank@example.com', 'a brand new password')).status,
      200,
    );
  });

  it('answers bad input with KW_ERR_VALIDATION naming the field, and takes a bodiless call as an empty one', async () => {
    const ivan = from(portal, '10.8.0.1');
    await ivan.get(`${API}/session`);
    const short = await ivan.post(`${API}/signup`, { email: 'ivan@example.com', password: 'short' });
    assert.equal(short.status, 400);
    assert.equal(codeOf(short), 'KW_ERR_VALIDATION');
    assert.match(JSON.stringify(short.json), /\/password/);
    assert.ok(!JSON.stringify(short.json).includes('short"'), 'the password is not echoed');
    const bad = await ivan.post(`${API}/signup`, { email: 'not-an-email', password: PASSWORD, admin: true });
    assert.equal(codeOf(bad), 'KW_ERR_VALIDATION');
    assert.match(JSON.stringify(bad.json), /\/email|\/admin/);
    const missing = await ivan.send('POST', `${API}/signup`);
    assert.equal(codeOf(missing), 'KW_ERR_VALIDATION');
    assert.match(JSON.stringify(missing.json), /email/);
    assert.equal(
      (await ivan.post(`${API}/signup`, { email: 'ivan@example.com', password: PASSWORD })).status,
      201,
    );
    const taken = await from(portal, '10.8.0.2').signUp('IVAN@example.com', PASSWORD);
    assert.equal(taken.status, 409);
    assert.equal(codeOf(taken), 'KW_ERR_PORTAL_EMAIL_TAKEN');
    assert.equal((await ivan.post(`${API}/apps`, { name: 'has space' })).status, 400);
    assert.equal((await ivan.post(`${API}/apps`, { name: 'tools' })).status, 201);
    // A key asked for with no body at all, as `curl -X POST` sends it.
    const key = await ivan.send('POST', `${API}/apps/default/tools/keys`);
    assert.equal(key.status, 201, JSON.stringify(key.json));
    const longGrace = await ivan.post(
      `${API}/apps/default/tools/keys/${(key.json['record'] as { id: string }).id}/rotate`,
      { grace_period_s: 31 * 86_400 },
    );
    assert.equal(codeOf(longGrace), 'KW_ERR_VALIDATION');
    assert.match(JSON.stringify(longGrace.json), /grace_period_s/);
    const tier = await ivan.post(`${API}/apps/default/tools/keys`, { tier: 'gold' });
    assert.equal(codeOf(tier), 'KW_ERR_VALIDATION', 'a developer cannot pick a key tier');
  });

  it('lets an admin disable an account: signed out everywhere, no sign-in', async () => {
    const gina = from(portal, '10.7.0.1');
    assert.equal((await gina.signUp('gina@example.com', PASSWORD)).status, 201);
    const devs = (await adminCall(kw, 'GET', '/portal/developers')).json['data'] as Array<{
      id: string;
      email: string;
    }>;
    const id = devs.find((d) => d.email === 'gina@example.com')?.id ?? '';
    const disabled = await adminCall(kw, 'PATCH', `/portal/developers/${id}`, { disabled: true });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.json));
    assert.equal((await gina.get(`${API}/apps`)).status, 401);
    assert.equal(
      codeOf(await from(portal, '10.7.0.2').signIn('gina@example.com', PASSWORD)),
      'KW_ERR_PORTAL_LOGIN_FAILED',
    );
    const audit = await adminCall(kw, 'GET', '/audit-log?limit=200');
    const rows = audit.json['data'] as Array<{ kind: string; key: string; after: unknown }>;
    assert.ok(rows.some((r) => r.kind === 'portal_developers' && r.key === 'gina@example.com'));
    assert.ok(!JSON.stringify(rows).includes('scrypt$'), 'no password hash in the audit log');
  });
});

describe('developer portal: email verification required', () => {
  let kw: KeywayProcess;
  before(async () => {
    kw = await startKeyway({ env: { KEYWAY_PORTAL_EMAIL_VERIFICATION: 'required' } });
  });
  after(async () => {
    await kw?.stop();
  });

  it('signs in only after the verification link is followed', async () => {
    const portal = kw.portalUrl ?? '';
    const hana = new PortalBrowser(portal);
    const signed = await hana.signUp('hana@example.com', PASSWORD);
    assert.equal(signed.status, 201);
    assert.equal(signed.json['verification_required'], true);
    assert.equal(hana.cookie('kw_portal_session'), undefined, 'no session before verification');
    const early = await hana.signIn('hana@example.com', PASSWORD);
    assert.equal(early.status, 403);
    assert.equal(codeOf(early), 'KW_ERR_PORTAL_EMAIL_UNVERIFIED');
    const outbox = await adminCall(kw, 'GET', '/portal/outbox?to=hana@example.com');
    const message = (outbox.json['data'] as Array<{ body: string; purpose: string }>)[0];
    assert.equal(message?.purpose, 'verify');
    const token = /token=([^\s]+)/.exec(message?.body ?? '')?.[1] ?? '';
    const verified = await hana.post(`${API}/verify-email`, { token });
    assert.equal(verified.status, 200, JSON.stringify(verified.json));
    assert.equal((verified.json['developer'] as { email_verified: boolean }).email_verified, true);
    assert.equal((await hana.get(`${API}/apps`)).status, 200);
    assert.equal((await new PortalBrowser(portal).signIn('hana@example.com', PASSWORD)).status, 200);
  });
});
