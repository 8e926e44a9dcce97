// Portal sign-in through a real OpenID Connect provider (oidc-provider on loopback): the authorization code
// flow with PKCE, walked as a browser does (redirects followed by hand, a cookie jar for each site), lands
// signed in on the portal with an account bound to the provider's subject; a second sign-in finds the same
// account. An altered state, a callback without this browser's flow cookie, and an open redirect are refused.
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { PortalBrowser, codeOf } from '../helpers/portal-browser.js';

const CLIENT = { id: 'keyway-portal', secret: 'portal-client-secret-NEVER-LEAK-31' };
const API = '/portal/api';

describe('developer portal: OpenID Connect sign-in', () => {
  let idp: http.Server;
  let issuer: string;
  let kw: KeywayProcess;
  let portal: string;

  before(async () => {
    idp = http.createServer();
    idp.listen(0, '127.0.0.1');
    await once(idp, 'listening');
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    kw = await startKeyway({
      env: {
        KEYWAY_PORTAL_OIDC_ISSUER: issuer,
        KEYWAY_PORTAL_OIDC_CLIENT_ID: CLIENT.id,
        KEYWAY_PORTAL_OIDC_CLIENT_SECRET: CLIENT.secret,
        KEYWAY_PORTAL_OIDC_NAME: 'Example SSO',
      },
    });
    portal = kw.portalUrl ?? '';
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          redirect_uris: [`${portal}${API}/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      // The email and name in the ID token itself (the portal reads no userinfo).
      conformIdTokenClaims: false,
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: () => ({ sub, email: 'kim@example.com', email_verified: true, name: 'Kim Lee' }),
      }),
      interactions: {
        url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
      },
      cookies: { keys: ['idp-cookie-key-for-tests'] },
    });
    const callback = provider.callback();
    // The provider's login and consent pages, answered as a user who says yes.
    idp.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!(req.url ?? '').startsWith('/interaction/')) {
        callback(req, res);
        return;
      }
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          await provider.interactionFinished(req, res, { login: { accountId: 'kim-0001' } });
          return;
        }
        const grant = new provider.Grant({ accountId: 'kim-0001', clientId: CLIENT.id });
        grant.addOIDCScope('openid email profile');
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
      })().catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  after(async () => {
    await kw?.stop();
    idp?.closeAllConnections();
    await new Promise<void>((resolve) => idp?.close(() => resolve()));
  });

  /** Follows the provider's redirects with its own cookie jar until it sends the browser back to the portal. */
  async function atProvider(start: string): Promise<string> {
    const jar = new Map<string, string>();
    let url = start;
    for (let hops = 0; hops < 20; hops++) {
      if (url.startsWith(portal)) return url;
      const res = await request(url, {
        headers: { cookie: [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      await res.body.text();
      const raw = res.headers['set-cookie'];
      for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers['location'];
      assert.ok(typeof location === 'string', `no redirect from ${url}: ${res.statusCode}`);
      url = new URL(location, url).href;
    }
    throw new Error('too many redirects at the provider');
  }

  async function signInThroughProvider(
    browser: PortalBrowser,
    returnTo = '/apps',
  ): Promise<{ location: string }> {
    const started = await browser.get(`${API}/oidc/start?return_to=${encodeURIComponent(returnTo)}`);
    assert.equal(started.status, 302, JSON.stringify(started.json));
    const to = String(started.headers['location']);
    const auth = new URL(to);
    assert.equal(auth.origin, issuer);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(auth.searchParams.get('state') && auth.searchParams.get('nonce'));
    const back = await atProvider(to);
    const done = await browser.get(back.slice(portal.length));
    assert.equal(done.status, 302, JSON.stringify(done.json));
    return { location: String(done.headers['location']) };
  }

  it('signs in with the provider, binding the account to its subject', async () => {
    const browser = new PortalBrowser(portal);
    const session = await browser.get(`${API}/session`);
    assert.deepEqual(session.json['oidc'], { name: 'Example SSO', start: `${API}/oidc/start` });
    const { location } = await signInThroughProvider(browser);
    assert.equal(location, '/apps');
    const me = await browser.get(`${API}/session`);
    assert.equal(me.json['signed_in'], true, JSON.stringify(me.json));
    const dev = me.json['developer'] as {
      email: string;
      name: string;
      email_verified: boolean;
      oidc_issuer: string;
    };
    assert.deepEqual(
      [dev.email, dev.name, dev.email_verified, dev.oidc_issuer],
      ['kim@example.com', 'Kim Lee', true, issuer],
    );
    // A signed-in developer like any other: state changes with the session's CSRF token.
    assert.equal((await browser.post(`${API}/apps`, { name: 'sso-app' })).status, 201);

    // Another browser, another sign-in: the same account.
    const other = new PortalBrowser(portal);
    const second = await signInThroughProvider(other, '//evil.example/steal');
    assert.equal(second.location, '/', 'only a path of the portal: no open redirect');
    const apps = await other.get(`${API}/apps`);
    assert.deepEqual(
      (apps.json['data'] as Array<{ name: string }>).map((a) => a.name),
      ['sso-app'],
    );
    const developers = await request(`${kw.adminUrl}/portal/developers`, {
      headers: { authorization: `Bearer ${kw.token}` },
    });
    const list = ((await developers.body.json()) as { data: Array<{ email: string }> }).data;
    assert.equal(list.filter((d) => d.email === 'kim@example.com').length, 1);
    assert.ok(!kw.output().includes(CLIENT.secret), 'the client secret is never logged');
  });

  it('refuses a callback this browser did not start, or with an altered state', async () => {
    const browser = new PortalBrowser(portal);
    const started = await browser.get(`${API}/oidc/start`);
    const back = await atProvider(String(started.headers['location']));
    const url = new URL(back);
    const stranger = new PortalBrowser(portal);
    const noFlow = await stranger.get(`${url.pathname}${url.search}`);
    assert.equal(noFlow.status, 401);
    assert.equal(codeOf(noFlow), 'KW_ERR_PORTAL_OIDC');
    url.searchParams.set('state', 'forged-state');
    const altered = await browser.get(`${url.pathname}${url.search}`);
    assert.equal(altered.status, 401);
    assert.equal(codeOf(altered), 'KW_ERR_PORTAL_OIDC');
    assert.equal((await browser.get(`${API}/session`)).json['signed_in'], false);
  });
});
