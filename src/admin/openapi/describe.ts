/**
 * The admin API's OpenAPI document without a node: the admin app is built with its routes, whose
 * schemas are all the document is made of, and closed; no request reaches it. The build writes the
 * document and the client types from it this way (scripts/admin-api-types.mjs), and tests compare it.
 */
import { KeywayError } from '../../core/errors.js';
import { buildAdminApp } from '../app.js';
import type { AdminDeps } from '../types.js';

/** Dependencies for an app that is only described: any use of one is a bug, and says so. */
function unused(path: string): unknown {
  const refuse = (): never => {
    throw new KeywayError(
      'KW_ERR_INTERNAL',
      {},
      { cause: new Error(`${path} used while describing the API`) },
    );
  };
  return new Proxy(refuse, {
    get: (_target, key) => (typeof key === 'symbol' || key === 'then' ? undefined : unused(`${path}.${key}`)),
  });
}

export async function describeAdminApi(): Promise<Record<string, unknown>> {
  const deps = new Proxy(
    { logger: false },
    {
      get: (target, key) =>
        typeof key === 'symbol' ||
        key in target ||
        key === 'then' ||
        key === 'bodyLimit' ||
        key === 'publicOpenApi' ||
        key === 'trustedProxies' ||
        key === 'login' ||
        // The console is mounted as a node mounts it: its sign-in endpoints are part of the API.
        key === 'console'
          ? (target as Record<string | symbol, unknown>)[key]
          : unused(`deps.${key}`),
    },
  ) as AdminDeps;
  const app = await buildAdminApp(deps);
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
