/**
 * Where a key-auth plugin looks for a key, and how it removes it from what goes upstream. Kept apart from
 * the plugin so the parsing rules (RFC 6750 bearer syntax, RFC 6265 cookie pairs, raw query segments) can
 * be read and tested on their own.
 */
import type { RequestContext } from '../../pipeline/context.js';

export type BearerMode = 'kw' | 'any' | 'off';

export interface KeySources {
  /** Lowercase header names. */
  headers: readonly string[];
  /** Lowercase header names also read on AI routes (an `ai://` service), after `headers`. */
  aiHeaders: readonly string[];
  bearer: BearerMode;
  query: readonly string[];
  cookies: readonly string[];
}

export interface FoundKey {
  key: string;
  where: { kind: 'header' | 'bearer' | 'query' | 'cookie'; name: string };
}

// RFC 6750 §2.1: `Bearer` is case-insensitive; the token is one run of token68 characters.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function findKey(ctx: RequestContext, src: KeySources): FoundKey | undefined {
  const headers = ctx.req.headers;
  const inHeader =
    fromHeaders(headers, src.headers) ??
    (src.aiHeaders.length > 0 && ctx.route.service.ai ? fromHeaders(headers, src.aiHeaders) : undefined);
  if (inHeader !== undefined) return inHeader;
  if (src.bearer !== 'off') {
    const auth = headers.authorization;
    const m = auth === undefined ? null : BEARER.exec(auth);
    // Any-of: a bearer token that is not a Keyway key belongs to another auth plugin (JWT, introspection).
    if (m?.[1] !== undefined && (src.bearer === 'any' || m[1].startsWith('kw_')))
      return { key: m[1], where: { kind: 'bearer', name: 'authorization' } };
  }
  if (src.query.length > 0 && ctx.upstreamQuery.length > 1) {
    for (const segment of ctx.upstreamQuery.slice(1).split('&')) {
      const [name, value] = splitPair(segment, '=');
      if (value !== '' && src.query.includes(decode(name))) {
        return { key: decode(value), where: { kind: 'query', name: decode(name) } };
      }
    }
  }
  if (src.cookies.length > 0) {
    const cookie = headers.cookie;
    if (cookie !== undefined) {
      for (const pair of cookie.split(';')) {
        const [name, value] = splitPair(pair.trim(), '=');
        if (value !== '' && src.cookies.includes(name))
          return { key: value, where: { kind: 'cookie', name } };
      }
    }
  }
  return undefined;
}

function fromHeaders(
  headers: RequestContext['req']['headers'],
  names: readonly string[],
): FoundKey | undefined {
  for (const name of names) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text.trim() !== '')
      return { key: text.trim(), where: { kind: 'header', name } };
  }
  return undefined;
}

/** Removes the key from the upstream request (`hide_credentials`). */
export function hideKey(ctx: RequestContext, found: FoundKey): void {
  const h = ctx.upstreamHeaders;
  switch (found.where.kind) {
    case 'header':
    case 'bearer':
      delete h[found.where.name];
      return;
    case 'query': {
      const kept = ctx.upstreamQuery
        .slice(1)
        .split('&')
        .filter((seg) => decode(splitPair(seg, '=')[0]) !== found.where.name);
      ctx.upstreamQuery = kept.length === 0 ? '' : `?${kept.join('&')}`;
      return;
    }
    case 'cookie': {
      const cookie = h['cookie'];
      if (typeof cookie !== 'string') return;
      const kept = cookie
        .split(';')
        .map((p) => p.trim())
        .filter((p) => p !== '' && splitPair(p, '=')[0] !== found.where.name);
      if (kept.length === 0) delete h['cookie'];
      else h['cookie'] = kept.join('; ');
      return;
    }
  }
}

function splitPair(text: string, sep: string): [string, string] {
  const i = text.indexOf(sep);
  return i === -1 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
