/**
 * The portal's API as a browser calls it: a cookie jar per "browser profile" (cookies set by the portal
 * come back on every request, as a browser sends them), `Origin` and `Sec-Fetch-Site: same-origin` on
 * every state-changing request, and `X-CSRF-Token` copied from the readable `kw_portal_csrf` cookie, as
 * the portal's pages do. Options let a test play a forger: another origin, no token, a planted cookie.
 */
import { request } from 'undici';

export interface PortalAnswer {
  status: number;
  json: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  setCookies: string[];
}

export interface SendOptions {
  /** Sends this Origin instead of the portal's own (`null`: none at all). */
  origin?: string | null;
  /** Sends this token instead of the cookie's (`null`: none at all). */
  csrf?: string | null;
  headers?: Record<string, string>;
}

export class PortalBrowser {
  readonly jar = new Map<string, string>();

  constructor(readonly base: string) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async send(method: string, path: string, body?: unknown, opts: SendOptions = {}): Promise<PortalAnswer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.jar.size > 0)
      headers['cookie'] = [...this.jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const unsafe = method !== 'GET' && method !== 'HEAD';
    if (unsafe) {
      const origin = opts.origin === undefined ? this.base : opts.origin;
      if (origin !== null) headers['origin'] = origin;
      headers['sec-fetch-site'] = origin === this.base ? 'same-origin' : 'cross-site';
      const csrf = opts.csrf === undefined ? this.jar.get('kw_portal_csrf') : opts.csrf;
      if (csrf !== null && csrf !== undefined) headers['x-csrf-token'] = csrf;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${this.base}${path}`, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    const raw = res.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return {
      status: res.statusCode,
      json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      headers: res.headers,
      setCookies,
    };
  }

  get(path: string): Promise<PortalAnswer> {
    return this.send('GET', path);
  }

  post(path: string, body?: unknown, opts?: SendOptions): Promise<PortalAnswer> {
    return this.send('POST', path, body ?? {}, opts);
  }

  patch(path: string, body: unknown, opts?: SendOptions): Promise<PortalAnswer> {
    return this.send('PATCH', path, body, opts);
  }

  delete(path: string, opts?: SendOptions): Promise<PortalAnswer> {
    return this.send('DELETE', path, undefined, opts);
  }

  /** Opens the portal (its CSRF cookie) and signs up. */
  async signUp(email: string, password: string): Promise<PortalAnswer> {
    await this.get('/portal/api/session');
    return this.post('/portal/api/signup', { email, password });
  }

  async signIn(email: string, password: string): Promise<PortalAnswer> {
    if (this.cookie('kw_portal_csrf') === undefined) await this.get('/portal/api/session');
    return this.post('/portal/api/login', { email, password });
  }
}

/** The error code of an answer. */
export function codeOf(a: PortalAnswer): string | undefined {
  return (a.json['error'] as { code?: string } | undefined)?.code;
}
