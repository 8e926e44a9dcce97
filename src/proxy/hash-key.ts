/**
 * The key a `consistent-hashing` upstream hashes, read from the request as `hash_on` says: the consumer's
 * id, the API key's id (never the key), the client address, a header or a cookie. Undefined when the
 * request has none (an anonymous caller, a missing header): the balancer then goes round-robin.
 */
import type { RequestContext } from '../pipeline/context.js';
import type { CompiledService } from '../pipeline/context.js';

export function hashKey(ctx: RequestContext, on: NonNullable<CompiledService['hashOn']>): string | undefined {
  switch (on.by) {
    case 'consumer':
      return ctx.identity?.consumerId;
    case 'key':
      return ctx.identity?.credentialId;
    case 'ip':
      return ctx.clientIp;
    case 'header': {
      const v = ctx.req.headers[(on.name ?? '').toLowerCase()];
      return Array.isArray(v) ? v.join(',') : v;
    }
    case 'cookie':
      return cookie(ctx.req.headers.cookie, on.name ?? '');
  }
}

/** One cookie's value from a `Cookie` header (RFC 6265 §5.4: `name=value` pairs joined by `; `). */
function cookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
