/**
 * Writes the auth plugins' diagnostics (why a credential was refused, which key sets and introspection
 * endpoints were fetched) to the node's log at debug level. Clients only ever get "invalid credentials";
 * the operator finds the reason here, keyed by request id. The events carry fixed reason words and
 * endpoint URLs, never a token, key or secret (src/keys/auth-events.ts).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'pino';

const REJECTED = 'keyway:auth:rejected';
const FETCHED = 'keyway:auth:fetch';

/** Subscribes when debug logging is on (otherwise the plugins do not even build the events); returns the undo. */
export function logAuthEvents(log: Logger): () => void {
  if (!log.isLevelEnabled('debug')) return () => undefined;
  const onRejected = (event: unknown): void => log.debug({ auth: event }, 'credential refused');
  const onFetched = (event: unknown): void => log.debug({ auth: event }, 'auth metadata fetched');
  subscribe(REJECTED, onRejected);
  subscribe(FETCHED, onFetched);
  return () => {
    unsubscribe(REJECTED, onRejected);
    unsubscribe(FETCHED, onFetched);
  };
}
