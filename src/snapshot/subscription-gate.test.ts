/**
 * The subscription check on a real gateway with jwt-auth (HS256, a secret in its config): a token naming an
 * app (`client_id`) with an approved subscription gets through; one whose app's subscription is suspended, or
 * a token whose `sub` maps to a consumer without an app, gets 403 KW_ERR_NOT_SUBSCRIBED on a service that
 * requires subscriptions, and 200 on one that does not. Routes of services without subscriptions carry no
 * step at all (they pay nothing); the decision left for the call record says why, without the credential.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { RequestContext } from '../pipeline/context.js';
import { AgentCache } from './agents.js';
import { compileSnapshot } from './compile.js';
import { startEcho, type TestServer } from '../../test/helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../../test/helpers/gateway.js';
import { hmacToken, now } from '../../test/auth/support/keys.js';

const ISS = 'https://idp.example';
const AUD = 'paid-api';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';

const config = (echo: string) =>
  state({
    services: [
      { name: 'open', url: `http://${echo}` },
      { name: 'paid', url: `http://${echo}`, subscription_required: true },
    ],
    routes: [
      { name: 'open', service: 'open', paths: ['/open'] },
      { name: 'paid', service: 'paid', paths: ['/paid'] },
      { name: 'partners', service: 'paid', paths: ['/partners'] },
    ],
    plans: [{ name: 'partner', rate_limits: [{ limit: 2, window: '1s' }] }],
    consumers: [{ username: 'acme' }],
    apps: [
      { name: 'dash', consumer: 'acme', client_ids: ['dash-client'] },
      { name: 'late', consumer: 'acme', client_ids: ['late-client'] },
      { name: 'basic', consumer: 'acme', client_ids: ['basic-client'] },
    ],
    subscriptions: [
      { app: 'dash', service: 'paid', plan: 'partner', status: 'approved' },
      { app: 'late', service: 'paid', status: 'suspended', reason: 'invoice overdue' },
      { app: 'basic', service: 'paid', status: 'approved' },
    ],
    plugins: [
      {
        name: 'jwt-auth',
        config: {
          issuers: [{ issuer: ISS, keys: [{ secret: SECRET }] }],
          audiences: [AUD],
          identity: [
            { claim: 'client_id', lookup: 'client_id' },
            { claim: 'sub', lookup: 'username' },
          ],
        },
      },
      { name: 'rate-limit', route: 'paid', config: {} },
      {
        name: 'access-rules',
        route: 'partners',
        config: {
          rules: [
            {
              name: 'partners-only',
              when: 'subscription.status == "approved" && subscription.plan == "partner"',
              effect: 'allow',
            },
          ],
        },
      },
    ],
  });

describe('the subscription check', () => {
  let echo: TestServer;
  let gw: TestGateway;
  const token = (claims: Record<string, unknown>) =>
    hmacToken({ alg: 'HS256', typ: 'JWT' }, { iss: ISS, aud: AUD, exp: now() + 300, ...claims }, SECRET);
  const call = async (path: string, claims: Record<string, unknown>) => {
    const res = await request(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token(claims)}` } });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };

  before(async () => {
    echo = await startEcho();
    gw = await startGateway(config(echo.address));
  });
  after(async () => {
    await gw?.close();
    await echo?.close();
  });

  it('lets an approved app through under its subscription plan', async () => {
    const r = await call('/paid/x', { sub: 'acme', client_id: 'dash-client' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['ratelimit-policy'], '"2-per-1s";q=2;w=1');
  });

  it('refuses a suspended app, and a consumer calling without an app', async () => {
    for (const claims of [{ sub: 'acme', client_id: 'late-client' }, { sub: 'acme' }]) {
      const r = await call('/paid/x', claims);
      assert.equal(r.status, 403, JSON.stringify(claims));
      const body = JSON.parse(r.body) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'KW_ERR_NOT_SUBSCRIBED');
      assert.equal(body.error.message, 'no approved subscription to service "paid"');
      assert.doesNotMatch(r.body, /invoice/);
    }
    // The same callers on a service that does not require subscriptions.
    assert.equal((await call('/open/x', { sub: 'acme' })).status, 200);
    assert.equal((await call('/open/x', { sub: 'acme', client_id: 'late-client' })).status, 200);
  });

  it('shows attribute rules the subscription it found (`subscription`)', async () => {
    assert.equal((await call('/partners/x', { sub: 'acme', client_id: 'dash-client' })).status, 200);
    const basic = await call('/partners/x', { sub: 'acme', client_id: 'basic-client' });
    assert.equal(basic.status, 403, basic.body);
    assert.match(basic.body, /KW_ERR_ACCESS_DENIED/);
  });

  it('compiles a step only where a service needs one, and says why it denied', () => {
    const snap = compileSnapshot(config(echo.address), { agents: new AgentCache() });
    const open = snap.routes.find((r) => r.name === 'open');
    const paid = snap.routes.find((r) => r.name === 'paid');
    assert.ok(open !== undefined && paid !== undefined);
    assert.equal(open.phases.authorize.length, 0, 'no step on a service without subscriptions');
    const step = paid.phases.authorize[0];
    assert.ok(step !== undefined);
    const ctx = (identity: unknown) =>
      ({ identity, decisions: undefined, subscriptionPlan: undefined }) as unknown as RequestContext;
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /the caller is not identified/],
      [{ consumerId: 'c', consumerName: 'acme' }, /consumer "acme" calls without an app/],
      [
        { consumerId: 'c', consumerName: 'acme', appId: 'no-such-app', appName: 'ghost' },
        /app "ghost" has no subscription/,
      ],
    ];
    for (const [identity, why] of cases) {
      const c = ctx(identity);
      assert.throws(() => step(c), /no approved subscription to service "paid"/);
      assert.equal(c.decisions?.length, 1);
      assert.equal(c.decisions?.[0]?.check, 'subscription');
      assert.equal(c.decisions?.[0]?.effect, 'deny');
      assert.match(c.decisions?.[0]?.reason ?? '', why);
    }
    void snap.close();
  });
});

describe('subscription gates across a patched service', () => {
  it('follow a service that starts or stops requiring subscriptions (a patch reuses the gates)', async () => {
    const { SubscriptionGates } = await import('./subscription-gate.js');
    const { IdentityIndex } = await import('./identities.js');
    const ws = state({
      services: [{ name: 'paid', url: 'http://127.0.0.1:9' }],
      consumers: [{ username: 'acme' }],
      apps: [{ name: 'dash', consumer: 'acme' }],
      subscriptions: [{ app: 'dash', service: 'paid', status: 'pending' }],
    }).workspaces[0];
    assert.ok(ws !== undefined);
    const gates = new SubscriptionGates(ws, IdentityIndex.build(ws));
    const phases = { authorize: [], authorizeBy: [], empty: true } as unknown as Parameters<
      typeof gates.wrap
    >[1];
    const caller = { identity: undefined, decisions: undefined } as unknown as RequestContext;
    const step = (required: boolean) => {
      const wrapped = gates.wrap({ name: 'paid', subscription_required: required }, phases);
      assert.equal(wrapped.authorize.length, 1);
      return wrapped.authorize[0];
    };
    assert.throws(() => step(true)(caller), /KW_ERR_NOT_SUBSCRIBED|subscription/);
    // The same gates, the service no longer requiring subscriptions: the step only picks plans.
    assert.doesNotThrow(() => step(false)(caller));
    assert.throws(() => step(true)(caller), /KW_ERR_NOT_SUBSCRIBED|subscription/);
  });
});
