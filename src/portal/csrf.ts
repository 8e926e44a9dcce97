/**
 * CSRF protection for every state-changing portal call, two checks (OWASP's CSRF cheat sheet: both is
 * defence in depth):
 *
 * 1. **Origin.** A browser names the page a request comes from in `Origin` (every cross-origin request,
 *    and same-origin ones other than GET/HEAD) and tells `Sec-Fetch-Site`; a request whose `Origin` (or,
 *    without one, `Referer`) is not the portal's own origin is refused, and so is `Sec-Fetch-Site:
 *    cross-site`. Clients that send neither (curl, a test) pass this check and meet the next.
 * 2. **Token.** `X-CSRF-Token` must equal the `kw_portal_csrf` cookie (double submit: another site can
 *    make the browser send the cookie, not read it to copy it into a header), and, when signed in, the
 *    token the session was issued with (its SHA-256 is on the session row): a cookie planted by a sibling
 *    subdomain does not match a session it did not create.
 *
 * Comparisons are constant-time. The OpenID Connect callback is a top-level GET and carries `state`
 * instead (oidc.ts).
 */
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { KeywayError } from '../core/errors.js';
import { sameSecret } from '../core/constant-time.js';
import { CSRF_COOKIE, cookie } from './cookies.js';

export const CSRF_HEADER = 'x-csrf-token';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** The origin the portal is served at: the setting, or the request's own scheme and host. */
export function ownOrigin(req: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function checkOrigin(req: FastifyRequest, publicUrl: string | undefined): void {
  const expected = ownOrigin(req, publicUrl);
  if (req.headers['sec-fetch-site'] === 'cross-site')
    throw new KeywayError('KW_ERR_PORTAL_CSRF', { reason: 'sent from another site (Sec-Fetch-Site)' });
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin !== expected)
      throw new KeywayError('KW_ERR_PORTAL_CSRF', {
        reason: `Origin ${origin.slice(0, 200)} is not the portal's`,
      });
    return;
  }
  const referer = req.headers.referer;
  if (referer !== undefined && originOf(referer) !== expected)
    throw new KeywayError('KW_ERR_PORTAL_CSRF', { reason: "Referer is not the portal's" });
}

/** The double-submit check, and the session's own token when there is a session (`csrfHash`). */
export function checkToken(req: FastifyRequest, csrfHash: string | undefined): void {
  const header = req.headers[CSRF_HEADER];
  const sent = typeof header === 'string' ? header : undefined;
  const jar = cookie(req, CSRF_COOKIE);
  if (sent === undefined || sent === '')
    throw new KeywayError('KW_ERR_PORTAL_CSRF', { reason: `no ${CSRF_HEADER} header` });
  if (jar === undefined || !sameSecret(sent, jar))
    throw new KeywayError('KW_ERR_PORTAL_CSRF', {
      reason: `${CSRF_HEADER} does not match the ${CSRF_COOKIE} cookie`,
    });
  if (csrfHash !== undefined && !sameSecret(sha256(sent), csrfHash))
    throw new KeywayError('KW_ERR_PORTAL_CSRF', { reason: `${CSRF_HEADER} is not this session's` });
}
