/**
 * `GET <ai route>/prompts/openapi.json`. The document is built once per catalog (that is, per snapshot)
 * and route prefix, then served from memory with an ETag, so tools polling it cost a header compare.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../pipeline/context.js';
import { reply } from '../../pipeline/reply.js';
import type { AiCatalog } from '../catalog.js';
import { promptsDocument } from './openapi.js';

interface Served {
  body: string;
  etag: string;
}

const built = new WeakMap<AiCatalog, Map<string, Served>>();
/** Prefixes come from route paths; a regex route could make many, so keep a few per catalog. */
const MAX_VARIANTS = 16;

export function serveOpenApi(ctx: RequestContext, catalog: AiCatalog): void {
  const prefix = routePrefix(ctx);
  const secured = ctx.route.phases.identify.length > 0;
  const key = `${secured ? 1 : 0}${prefix}`;
  let variants = built.get(catalog);
  if (variants === undefined) built.set(catalog, (variants = new Map<string, Served>()));
  let doc = variants.get(key);
  if (doc === undefined) {
    const body = JSON.stringify(promptsDocument(catalog, { prefix, secured }));
    doc = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    if (variants.size >= MAX_VARIANTS) variants.clear();
    variants.set(key, doc);
  }
  const fresh = ctx.req.headers['if-none-match'] === doc.etag;
  const status = fresh ? 304 : 200;
  const headers: Record<string, string | number> = { etag: doc.etag, 'cache-control': 'no-cache' };
  if (!fresh) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(doc.body);
  }
  reply(ctx, status, headers, fresh || ctx.req.method === 'HEAD' ? undefined : doc.body);
}

/**
 * The part of the path the caller sent before what the AI endpoints see (`/ai` for a route on `/ai`
 * with strip_path), so the document's server URL works from where the caller stands.
 */
function routePrefix(ctx: RequestContext): string {
  const url = ctx.req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const tail = ctx.upstreamPath;
  return path.endsWith(tail) ? path.slice(0, path.length - tail.length).replace(/\/+$/, '') : '';
}
