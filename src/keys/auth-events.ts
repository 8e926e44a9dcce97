/**
 * Debug-level observations of the auth plugins, published on `diagnostics_channel` (as undici does)
 * rather than written to a logger: the node subscribes and logs them at debug level, tests subscribe
 * and assert. Payloads name the check that failed and never carry a token, secret or key: a reason is
 * one of a fixed set of words, so nothing a client sent can leak through it.
 */
import { channel } from 'node:diagnostics_channel';
import type { RefusalReason } from './certificates/chain.js';

export type RejectReason =
  | 'too-large'
  | 'malformed'
  | 'header'
  | 'algorithm'
  | 'kid'
  | 'issuer'
  | 'no-key'
  | 'signature'
  | 'claims'
  | 'expired'
  | 'typ'
  | 'audience'
  | 'binding'
  | 'inactive'
  | 'unmapped'
  | 'disabled'
  | 'scope'
  | 'unavailable'
  | 'unknown'
  | 'rotated'
  | RefusalReason;

export interface AuthRejectEvent {
  plugin: string;
  requestId: string;
  reason: RejectReason;
  /** A non-secret detail: the jose error code or the HTTP failure kind. */
  detail?: string;
  /**
   * The id of a credential the gateway knows but refused (an expired or revoked key): not a secret, and
   * what support needs to tell which partner key it was. Only for the route's own workspace.
   */
  credentialId?: string;
}

export interface AuthFetchEvent {
  kind: 'jwks' | 'discovery' | 'introspection';
  /** Endpoint URL without query (never a token). */
  url: string;
  ok: boolean;
  detail?: string;
}

export const authRejected = channel('keyway:auth:rejected');
export const authFetched = channel('keyway:auth:fetch');

export function publishReject(event: AuthRejectEvent): void {
  if (authRejected.hasSubscribers) authRejected.publish(event);
}

export function publishFetch(event: AuthFetchEvent): void {
  if (authFetched.hasSubscribers) authFetched.publish(event);
}
