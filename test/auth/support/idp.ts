/**
 * A real OAuth 2.0 / OIDC authorization server for the auth tests: oidc-provider on loopback, with the
 * client_credentials grant, RFC 7662 introspection, and resource indicators (RFC 8707) deciding the token
 * format — `https://api.weather.example` gets RFC 9068 JWT access tokens, `urn:partner:opaque` gets
 * opaque tokens. Requests are counted per path and the server can be switched "down" (503s).
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const JWT_RESOURCE = 'https://api.weather.example';
export const OPAQUE_RESOURCE = 'urn:partner:opaque';
/** Opaque tokens that expire after 2 s, to watch the introspection cache end at `exp`. */
export const SHORT_RESOURCE = 'urn:partner:short';
export const PARTNER = { id: 'partner', secret: 'partner-secret-0123456789abcdef' };
export const GATEWAY_CLIENT = { id: 'gateway', secret: 'gateway-secret-SHOULD-NEVER-LEAK-42' };
export const GATEWAY_POST_CLIENT = { id: 'gateway-post', secret: 'gateway-post-secret-NEVER-LEAK-77' };

export interface TestIdp {
  issuer: string;
  hits: Map<string, number>;
  down: boolean;
  token(resource: string, scope: string, client?: { id: string; secret: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startIdp(opts: { accessTokenTTL?: number } = {}): Promise<TestIdp> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const scope = 'read:weather write:weather';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: PARTNER.id,
        client_secret: PARTNER.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope,
      },
      {
        client_id: GATEWAY_CLIENT.id,
        client_secret: GATEWAY_CLIENT.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: GATEWAY_POST_CLIENT.id,
        client_secret: GATEWAY_POST_CLIENT.secret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    jwks: { keys: [jwk] },
    scopes: scope.split(' '),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => JWT_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope,
          audience: resource,
          accessTokenTTL: resource === SHORT_RESOURCE ? 2 : (opts.accessTokenTTL ?? 300),
          accessTokenFormat: resource === OPAQUE_RESOURCE || resource === SHORT_RESOURCE ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  const callback = provider.callback();
  const idp: TestIdp = {
    issuer,
    hits: new Map(),
    down: false,
    async token(resource, wanted, client = PARTNER) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: wanted }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || body.access_token === undefined)
        throw new Error(`token request: ${res.status}`);
      return body.access_token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    idp.hits.set(path, (idp.hits.get(path) ?? 0) + 1);
    if (idp.down && path !== '/token') {
      res.writeHead(503).end();
      return;
    }
    callback(req, res);
  });
  return idp;
}
