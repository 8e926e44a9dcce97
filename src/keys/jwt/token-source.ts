/**
 * Where a bearer token is read from (RFC 6750 §2): the `Authorization: Bearer` header, a cookie or a
 * query parameter, in that order, and how it is removed before the request goes upstream
 * (`hide_credentials`: the backend has no use for the token and should not be able to replay it).
 */
import type { RequestContext } from '../../pipeline/context.js';

export interface TokenSourceConfig {
  header_names: string[];
  cookie_names: string[];
  query_param_names: string[];
}

export interface FoundToken {
  token: string;
  from: 'header' | 'cookie' | 'query';
  name: string;
}

/** Keyway API keys start with this; they belong to key-auth, so bearer-token plugins leave them alone. */
const API_KEY_PREFIX = 'kw_';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export const tokenSourceSchema = {
  header_names: {
    type: 'array',
    maxItems: 8,
    items: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    default: ['authorization'],
  },
  cookie_names: {
    type: 'array',
    maxItems: 8,
    items: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    default: [],
  },
  query_param_names: {
    type: 'array',
    maxItems: 8,
    items: { type: 'string', minLength: 1, maxLength: 128 },
    default: [],
  },
} as const;

/** The first bearer token found, or undefined (also for API keys, which are not ours to judge). */
export function findToken(ctx: RequestContext, cfg: TokenSourceConfig): FoundToken | undefined {
  const found = scan(ctx, cfg);
  if (found === undefined || found.token.startsWith(API_KEY_PREFIX)) return undefined;
  return found;
}

function scan(ctx: RequestContext, cfg: TokenSourceConfig): FoundToken | undefined {
  for (const name of cfg.header_names) {
    const raw = ctx.req.headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') continue;
    const m = BEARER.exec(value);
    // Authorization carries a scheme; a custom header may carry the bare token.
    if (m?.[1] !== undefined) return { token: m[1], from: 'header', name };
    if (name.toLowerCase() !== 'authorization' && !/\s/.test(value))
      return { token: value, from: 'header', name };
  }
  if (cfg.cookie_names.length > 0) {
    const cookies = parseCookies(ctx.req.headers.cookie);
    for (const name of cfg.cookie_names) {
      const value = cookies.get(name);
      if (value !== undefined && value !== '') return { token: value, from: 'cookie', name };
    }
  }
  if (cfg.query_param_names.length > 0 && ctx.upstreamQuery !== '') {
    const params = new URLSearchParams(ctx.upstreamQuery.slice(1));
    for (const name of cfg.query_param_names) {
      const value = params.get(name);
      if (value !== null && value !== '') return { token: value, from: 'query', name };
    }
  }
  return undefined;
}

/** Removes the token from what goes upstream. */
export function hideToken(ctx: RequestContext, found: FoundToken): void {
  if (found.from === 'header') {
    delete ctx.upstreamHeaders[found.name.toLowerCase()];
  } else if (found.from === 'cookie') {
    const rest = String(ctx.upstreamHeaders.cookie ?? '')
      .split(';')
      .filter((part) => part.split('=')[0]?.trim() !== found.name)
      .join(';')
      .trim();
    if (rest === '') delete ctx.upstreamHeaders.cookie;
    else ctx.upstreamHeaders.cookie = rest;
  } else {
    const params = new URLSearchParams(ctx.upstreamQuery.slice(1));
    params.delete(found.name);
    const q = params.toString();
    ctx.upstreamQuery = q === '' ? '' : `?${q}`;
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}
