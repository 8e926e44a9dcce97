/**
 * The two cookies of the portal (docs/portal.md#security): the session (`HttpOnly`: scripts never see
 * it) and the CSRF token (readable by the portal's own pages, which echo it in `X-CSRF-Token`). Both are
 * `SameSite=Lax` and `Path=/`, and `Secure` when the request came over TLS (the listener's own, or a
 * trusted proxy's `X-Forwarded-Proto`).
 *
 * Parsing and writing cookies is RFC 6265 section 4 at its plainest (names and values here are ours,
 * base64url, never quoted); a dependency for it would cost more than these lines.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'kw_portal_session';
export const CSRF_COOKIE = 'kw_portal_csrf';

/** The value of cookie `name` on the request, or undefined. */
export function cookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** True when the request reached the portal over TLS (directly, or through a trusted proxy). */
export function overTls(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

function serialize(
  name: string,
  value: string,
  opts: { maxAgeS: number; httpOnly: boolean; secure: boolean },
): string {
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${opts.maxAgeS}`, 'SameSite=Lax'];
  if (opts.httpOnly) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

function append(reply: FastifyReply, value: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  void reply.header('set-cookie', [...list, value]);
}

export function setSessionCookies(
  req: FastifyRequest,
  reply: FastifyReply,
  session: { id: string; csrf: string; maxAgeS: number },
): void {
  const secure = overTls(req);
  append(reply, serialize(SESSION_COOKIE, session.id, { maxAgeS: session.maxAgeS, httpOnly: true, secure }));
  append(reply, serialize(CSRF_COOKIE, session.csrf, { maxAgeS: session.maxAgeS, httpOnly: false, secure }));
}

/** The CSRF cookie alone, for a visitor who is not signed in yet (sign-up and sign-in forms). */
export function setCsrfCookie(req: FastifyRequest, reply: FastifyReply, csrf: string, maxAgeS: number): void {
  append(reply, serialize(CSRF_COOKIE, csrf, { maxAgeS, httpOnly: false, secure: overTls(req) }));
}

export function clearSessionCookies(req: FastifyRequest, reply: FastifyReply): void {
  const secure = overTls(req);
  append(reply, serialize(SESSION_COOKIE, '', { maxAgeS: 0, httpOnly: true, secure }));
  append(reply, serialize(CSRF_COOKIE, '', { maxAgeS: 0, httpOnly: false, secure }));
}
