/**
 * What a counter is kept per, turned into a key part. Every source reads something the client cannot
 * forge to escape its counter:
 * - `key` / `app` / `consumer` come from the verified identity; a caller without one is counted by IP;
 * - `ip` is `ctx.clientIp`, which believes X-Forwarded-For only from trusted proxies (proxy/headers.ts);
 * - `header`: Node lowercases header names, so `X-Tenant` and `x-TENANT` are one header; the value is
 *   trimmed and case-folded too, so `ACME` and `acme` share a counter (merging can only make a limit
 *   stricter). Long values are hashed to keep keys small.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '../proxy/context.js';
import type { KeySource } from './limit-schema.js';

/** What a subject is computed from: a RequestContext has it all; the usage API builds one from an identity. */
export interface SubjectSource {
  identity: Identity | undefined;
  clientIp: string;
  route: { id: string };
  req: { headers: IncomingHttpHeaders };
}

const DEFAULT_BY: readonly KeySource[] = ['key'];

export function subjectOf(
  ctx: SubjectSource,
  by: readonly KeySource[] | undefined,
  header: string | undefined,
  plan: string | undefined,
): string {
  const sources = by ?? DEFAULT_BY;
  if (sources.length === 1) return part(ctx, sources[0] ?? 'key', header, plan);
  let out = '';
  for (const s of sources) out += (out === '' ? '' : '|') + part(ctx, s, header, plan);
  return out;
}

function part(ctx: SubjectSource, source: KeySource, header: string | undefined, plan: string | undefined) {
  const id = ctx.identity;
  switch (source) {
    case 'key':
      if (id?.credentialId !== undefined) return `k:${id.credentialId}`;
      return id?.appId !== undefined ? `a:${id.appId}` : id !== undefined ? `c:${id.consumerId}` : ip(ctx);
    case 'app':
      return id?.appId !== undefined ? `a:${id.appId}` : id !== undefined ? `c:${id.consumerId}` : ip(ctx);
    case 'consumer':
      return id !== undefined ? `c:${id.consumerId}` : ip(ctx);
    case 'plan':
      return `p:${plan ?? '-'}`;
    case 'route':
      return `r:${ctx.route.id}`;
    case 'ip':
      return ip(ctx);
    case 'header':
      return `h:${headerValue(ctx, header ?? '')}`;
  }
}

function ip(ctx: SubjectSource): string {
  return `i:${ctx.clientIp}`;
}

function headerValue(ctx: SubjectSource, name: string): string {
  const raw = ctx.req.headers[name.toLowerCase()];
  const text = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).trim().toLowerCase();
  return text.length <= 64 ? text : createHash('sha256').update(text).digest('base64url');
}
