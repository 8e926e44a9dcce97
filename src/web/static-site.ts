/**
 * Serves a built web app (the admin console, the developer portal) from a Fastify app: the files Vite
 * wrote under `dist/web/<app>/`, below a path prefix, with the headers a browser needs to hold them
 * safely and cache them well:
 *
 * - hashed assets (`assets/…`, their names change with their content) are `immutable` for a year; every
 *   other file, `index.html` first, is `no-cache` (revalidated by its ETag), so a new build shows at once;
 *   the build's Brotli or gzip copy goes to a browser that accepts it;
 * - a strict Content-Security-Policy: scripts, styles, fonts and fetches from this origin only, no inline
 *   script, no `eval`, no framing (`frame-ancestors 'none'`, and X-Frame-Options for older browsers);
 *   `X-Content-Type-Options: nosniff`, no referrer;
 * - a path that names no file and has no extension (`/console/services/weather`) is a page of the
 *   single-page app: it gets `index.html`, and the app's router draws it. A missing asset is a 404.
 *
 * Files are sent by `@fastify/static` (content types, ETag, ranges, no path traversal).
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KeywayError } from '../core/errors.js';

/** What every answer of a web app carries. `connect-src 'self'`: the apps talk to their own listener only. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** Where `npm run build` puts a web app: `dist/web/<name>/` (this file runs from `dist/src/web/`). */
export function builtWebApp(name: string): string {
  return fileURLToPath(new URL(`../../web/${name}/`, import.meta.url));
}

export interface StaticSiteOptions {
  /** The URL prefix, with both slashes: `/console/`. */
  prefix: string;
  /** The folder holding `index.html` and `assets/`. */
  root: string;
  /** The app's name, for the error when it was not built. */
  name: string;
}

/** A request for a page of the app (no file extension in its last segment), not for a file. */
function isPageRequest(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = req.url.split('?')[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

/**
 * Registers the app below `opts.prefix` (an encapsulated plugin: its headers and 404 answer apply to
 * nothing else of the host app). Its routes declare `config.public`, so a host that authenticates every
 * route leaves them be. Without a build, every path answers 503 KW_ERR_WEB_NOT_BUILT.
 */
export async function serveStaticSite(app: FastifyInstance, opts: StaticSiteOptions): Promise<void> {
  // Registered under its prefix: the 404 handler below answers for this prefix only.
  const prefix = opts.prefix.replace(/\/+$/, '');
  const built = existsSync(join(opts.root, 'index.html'));
  // Public (no token), and not part of the host's API document: these are pages, not operations.
  const open = { config: { public: true }, schema: { hide: true } };
  await app.register(
    async (site) => {
      site.addHook('onSend', async (_req, reply, payload) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
        return payload;
      });
      if (!built) {
        const notBuilt = (req: FastifyRequest, reply: FastifyReply) => {
          const error = new KeywayError('KW_ERR_WEB_NOT_BUILT', { app: opts.name });
          return reply.code(error.status).send(error.toBody(req.id));
        };
        site.get('/', open, notBuilt);
        site.get('/*', open, notBuilt);
        return;
      }
      const index = (reply: FastifyReply) =>
        reply.header('cache-control', REVALIDATE).sendFile('index.html', opts.root, { cacheControl: false });
      // The plugin only sends files (`reply.sendFile`: content types, ETag, ranges, no way out of `root`);
      // the routes are these two, so they can say they are public.
      await site.register(fastifyStatic, {
        root: opts.root,
        serve: false,
        index: false,
        decorateReply: true,
        cacheControl: false,
        serveDotFiles: false,
        // The build wrote .br and .gz copies (scripts/build-web.mjs): sent to browsers that accept them.
        preCompressed: true,
        setHeaders(res, path) {
          res.setHeader('cache-control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : REVALIDATE);
        },
      });
      site.get('/', open, (_req, reply) => index(reply));
      site.get<{ Params: { '*': string } }>('/*', open, (req, reply) =>
        isPageRequest(req) ? index(reply) : reply.sendFile(req.params['*']),
      );
      site.setNotFoundHandler((req, reply) => {
        if (isPageRequest(req)) return index(reply);
        const path = (req.url.split('?')[0] ?? '').slice(0, 256);
        const error = new KeywayError('KW_ERR_NOT_FOUND', { kind: 'file', name: path });
        return reply.code(error.status).send(error.toBody(req.id));
      });
    },
    { prefix },
  );
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the host's authentication (a web app's files, a sign-in endpoint). */
    public?: boolean;
  }
}
