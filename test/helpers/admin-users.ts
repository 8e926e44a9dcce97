/**
 * Admin users for role tests: made through the admin API with the harness's bootstrap token, each with
 * one grant and one token, and a URL filler for walking every registered endpoint.
 */
import assert from 'node:assert/strict';
import type { DeclaredRoute } from '../../src/admin/authorize.js';
import type { AdminHarness, TestBody } from './admin-harness.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Creates `name` with these grants and returns the Authorization header of a fresh token of theirs. */
export async function adminWith(
  h: AdminHarness,
  name: string,
  grants: Array<{ workspace: string; role: string }>,
): Promise<{ authorization: string }> {
  const user = await h.app.inject({
    method: 'POST',
    url: '/admins',
    headers: h.auth,
    payload: { name, grants },
  });
  assert.equal(user.statusCode, 201, user.body);
  const token = await h.app.inject({
    method: 'POST',
    url: `/admins/${name}/tokens`,
    headers: h.auth,
    payload: { name: 'test' },
  });
  assert.equal(token.statusCode, 201, token.body);
  return { authorization: `Bearer ${token.json<TestBody>()['token'] as string}` };
}

/** The routes to walk: every registered one (HEAD included: Fastify's copy of each GET) but the public ones. */
export function walkable(routes: readonly DeclaredRoute[]): Array<DeclaredRoute & { method: Method }> {
  return routes.filter((r): r is DeclaredRoute & { method: Method } => r.permission !== undefined);
}

/** The route's path with `:workspace` and every other parameter filled in. */
export function fill(url: string, workspace: string, params: Record<string, string> = {}): string {
  return url.replace(/:(\w+)/g, (_m, name: string) =>
    encodeURIComponent(name === 'workspace' ? workspace : (params[name] ?? 'nope')),
  );
}
