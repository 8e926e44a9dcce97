/**
 * The node-wide caches plugins share, made once per node and handed to them through the plugin services
 * (src/plugins/types.ts): they outlive every snapshot (a reload must not refetch every issuer's keys,
 * forget a provider key's cooldown or a client certificate's verdict), and two nodes in one process (tests) each have their own.
 */
import type { Agent } from 'undici';
import { KeyState } from '../ai/engine/key-state.js';
import { createProviderAgent } from '../ai/engine/upstream.js';
import { createJwtKeySources, type JwtKeySources } from '../keys/jwt/verify-jwt.js';
import { TrustVerifiers } from '../plugins/mtls-auth/trust.js';
import { IntrospectionCaches } from '../plugins/oauth2-introspection/token-cache.js';

export interface NodeCaches {
  readonly jwtKeys: JwtKeySources;
  readonly introspection: IntrospectionCaches;
  readonly certificateTrust: TrustVerifiers;
  readonly aiKeys: KeyState;
  readonly providerAgent: Agent;
}

export function createNodeCaches(): NodeCaches {
  return {
    jwtKeys: createJwtKeySources(),
    introspection: new IntrospectionCaches(),
    certificateTrust: new TrustVerifiers(),
    aiKeys: new KeyState(),
    providerAgent: createProviderAgent(),
  };
}

/** Closes what holds connections (the provider pool); the rest is memory. */
export async function closeNodeCaches(caches: NodeCaches): Promise<void> {
  await caches.providerAgent.close();
}
