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
import type { Identity } from '../pipeline/identity.js';
import type { KeySource } from '../model/limit-schema.js';

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

/**
 * The subject as a person reads it, for alerts: key id, app and consumer names, plan, route, IP — with the
 * same fallbacks as subjectOf. A header's value is not shown (it may be a tenant token), only its name.
 */
export function readableSubject(
  ctx: { identity: Identity | undefined; clientIp: string; route: { name: string } },
  by: readonly KeySource[] | undefined,
  header: string | undefined,
  plan: string | undefined,
): string {
  return (by ?? DEFAULT_BY).map((s) => readablePart(ctx, s, header, plan)).join('|');
}

function readablePart(
  ctx: { identity: Identity | undefined; clientIp: string; route: { name: string } },
  source: KeySource,
  header: string | undefined,
  plan: string | undefined,
): string {
  const id = ctx.identity;
  switch (source) {
    case 'key':
      if (id?.credentialId !== undefined) return `key ${id.credentialId}`;
      return readablePart(ctx, 'app', header, plan);
    case 'app':
      if (id?.appId !== undefined) return `app ${id.appName ?? id.appId}`;
      return readablePart(ctx, 'consumer', header, plan);
    case 'consumer':
      return id === undefined ? `ip ${ctx.clientIp}` : `consumer ${id.consumerName}`;
    case 'plan':
      return `plan ${plan ?? '(none)'}`;
    case 'route':
      return `route ${ctx.route.name}`;
    case 'ip':
      return `ip ${ctx.clientIp}`;
    case 'header':
      return `header ${(header ?? '').toLowerCase()}`;
  }
}
