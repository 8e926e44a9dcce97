/**
 * Why a credential was refused, as the auth plugins publish it on `keyway:auth:rejected`
 * (src/keys/auth-events.ts), kept by request id until the call record of that request is built. The
 * reasons are fixed words, never anything the client sent. Bounded: a request whose record never comes
 * (the process is stopping) cannot grow it past MAX entries.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AuthRejectEvent } from '../keys/auth-events.js';

const CHANNEL = 'keyway:auth:rejected';
const MAX = 10_000;

export class AuthReasons {
  private readonly reasons = new Map<string, AuthRejectEvent>();
  private readonly onEvent = (message: unknown): void => {
    const e = message as AuthRejectEvent;
    if (this.reasons.size >= MAX) {
      const oldest = this.reasons.keys().next();
      if (oldest.done !== true) this.reasons.delete(oldest.value);
    }
    this.reasons.set(e.requestId, e);
  };

  constructor() {
    subscribe(CHANNEL, this.onEvent);
  }

  /** The refusal recorded for this request (reason, and a refused credential's id), removed as it is read. */
  take(requestId: string): AuthRejectEvent | undefined {
    if (this.reasons.size === 0) return undefined;
    const r = this.reasons.get(requestId);
    if (r !== undefined) this.reasons.delete(requestId);
    return r;
  }

  close(): void {
    unsubscribe(CHANNEL, this.onEvent);
    this.reasons.clear();
  }
}
