/**
 * Sign-in through an OpenID Connect provider (`portal.oidc`): the authorization code flow with PKCE
 * (RFC 7636, S256), `state` against login CSRF and `nonce` against ID token replay (OIDC Core 3.1.2.1),
 * the ID token verified with `jose` against the provider's JWKS (signature, `iss`, `aud`, `exp`, `nonce`).
 *
 * Between the redirect to the provider and its callback, the flow's `state`, `nonce`, PKCE verifier and
 * the page to return to live in one short-lived cookie, HMAC-signed with a key derived from the node's
 * secret: any node of a cluster can finish a flow another started, and a browser can only finish its own.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { request } from 'undici';
import { KeywayError } from '../core/errors.js';
import { sameSecret } from '../core/constant-time.js';
import type { PortalSettings } from './types.js';

export const FLOW_COOKIE = 'kw_portal_oidc';
/** How long a browser has at the provider before the flow is stale. */
export const FLOW_TTL_MS = 10 * 60_000;
/** Clock skew accepted on the ID token's `exp`/`iat`/`nbf`. */
const SKEW_S = 60;
const FETCH_TIMEOUT_MS = 10_000;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  expires: number;
}

export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  name?: string;
}

const b64 = (bytes: Buffer): string => bytes.toString('base64url');

function failed(reason: string, cause?: unknown): KeywayError {
  return new KeywayError('KW_ERR_PORTAL_OIDC', { reason }, cause === undefined ? {} : { cause });
}

/** Only a path of this site: `/apps`, never `//evil.example` or `https://…` (an open redirect). */
export function safeReturnTo(value: string | undefined): string {
  if (value === undefined || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/';
  return value.slice(0, 512);
}

export class OidcSignIn {
  readonly #key: Buffer;
  #discovery: Promise<Discovery> | undefined;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly settings: NonNullable<PortalSettings['oidc']>,
    secret: Uint8Array,
    private readonly now: () => number,
  ) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'keyway portal oidc flow', 32));
  }

  get name(): string {
    return this.settings.name;
  }

  async #discover(): Promise<Discovery> {
    this.#discovery ??= (async () => {
      const url = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      let doc: Partial<Discovery>;
      try {
        const res = await request(url, { headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS });
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw failed(`the provider's discovery document answered ${res.statusCode}`);
        }
        doc = (await res.body.json()) as Partial<Discovery>;
      } catch (err) {
        if (err instanceof KeywayError) throw err;
        throw failed("the provider's discovery document cannot be fetched", err);
      }
      // OIDC Discovery 4.3: the document's issuer is exactly the one configured.
      if (doc.issuer !== this.settings.issuer)
        throw failed("the provider's discovery document names another issuer");
      for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const)
        if (typeof doc[field] !== 'string') throw failed(`the provider's discovery document has no ${field}`);
      return doc as Discovery;
    })();
    // A failed discovery is tried again on the next sign-in, not remembered.
    this.#discovery.catch(() => (this.#discovery = undefined));
    return this.#discovery;
  }

  #sign(payload: string): string {
    return b64(createHmac('sha256', this.#key).update(payload).digest());
  }

  /** The provider's authorization URL, and the flow cookie's value. */
  async start(redirectUri: string, returnTo: string): Promise<{ url: string; cookie: string }> {
    const d = await this.#discover();
    const flow: Flow = {
      state: b64(randomBytes(32)),
      nonce: b64(randomBytes(32)),
      verifier: b64(randomBytes(32)),
      returnTo: safeReturnTo(returnTo),
      expires: this.now() + FLOW_TTL_MS,
    };
    const url = new URL(d.authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: b64(createHash('sha256').update(flow.verifier).digest()),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const payload = b64(Buffer.from(JSON.stringify(flow)));
    return { url: url.href, cookie: `${payload}.${this.#sign(payload)}` };
  }

  #flow(cookie: string | undefined): Flow {
    const [payload = '', sig = ''] = (cookie ?? '').split('.');
    if (payload === '' || !sameSecret(sig, this.#sign(payload)))
      throw failed('this browser did not start the sign-in (no or altered flow cookie)');
    const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Flow;
    if (flow.expires <= this.now()) throw failed('the sign-in took too long: start again');
    return flow;
  }

  /** Finishes the flow from the callback's query: the ID token's claims, verified, and where to return. */
  async finish(
    query: { code?: string; state?: string; error?: string },
    cookie: string | undefined,
    redirectUri: string,
  ): Promise<{ claims: OidcClaims; returnTo: string }> {
    const flow = this.#flow(cookie);
    if (query.state === undefined || !sameSecret(query.state, flow.state))
      throw failed('state does not match this browser’s sign-in');
    if (query.error !== undefined)
      throw failed(`the provider refused: ${query.error.replace(/[^\w.-]/g, '').slice(0, 64)}`);
    if (query.code === undefined) throw failed('the provider sent no code');
    const d = await this.#discover();
    const idToken = await this.#exchange(d, query.code, flow.verifier, redirectUri);
    this.#jwks ??= createRemoteJWKSet(new URL(d.jwks_uri));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.#jwks, {
        issuer: this.settings.issuer,
        audience: this.settings.clientId,
        clockTolerance: SKEW_S,
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      throw failed('the ID token does not verify (signature, issuer, audience or expiry)', err);
    }
    if (typeof payload['nonce'] !== 'string' || !sameSecret(payload['nonce'], flow.nonce))
      throw failed('the ID token is not for this sign-in (nonce)');
    const email = payload['email'];
    if (typeof payload.sub !== 'string' || typeof email !== 'string' || !email.includes('@'))
      throw failed('the ID token carries no email (ask for the email scope)');
    const claims: OidcClaims = {
      issuer: this.settings.issuer,
      subject: payload.sub,
      email,
      emailVerified: payload['email_verified'] === true,
    };
    if (typeof payload['name'] === 'string') claims.name = payload['name'].slice(0, 256);
    return { claims, returnTo: flow.returnTo };
  }

  async #exchange(d: Discovery, code: string, verifier: string, redirectUri: string): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const secret = this.settings.clientSecret;
    // client_secret_basic (RFC 6749 2.3.1: both parts form-encoded); a public client names itself.
    if (secret === undefined) form.set('client_id', this.settings.clientId);
    else {
      const user = encodeURIComponent(this.settings.clientId);
      headers['authorization'] =
        `Basic ${Buffer.from(`${user}:${encodeURIComponent(secret)}`).toString('base64')}`;
    }
    let body: { id_token?: unknown; error?: unknown };
    let status: number;
    try {
      const res = await request(d.token_endpoint, {
        method: 'POST',
        headers,
        body: form.toString(),
        headersTimeout: FETCH_TIMEOUT_MS,
        bodyTimeout: FETCH_TIMEOUT_MS,
      });
      status = res.statusCode;
      body = (await res.body.json()) as typeof body;
    } catch (err) {
      throw failed('the token endpoint cannot be reached', err);
    }
    if (status !== 200 || typeof body.id_token !== 'string') {
      const error = typeof body.error === 'string' ? body.error.replace(/[^\w.-]/g, '').slice(0, 64) : status;
      throw failed(`the token endpoint refused the code (${error})`);
    }
    return body.id_token;
  }
}
