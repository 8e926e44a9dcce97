/**
 * A caller that closes its connection before its answer is complete. The call record is taken when the
 * connection closes, so the AI path says so on the request context at that moment (the data plane calls
 * `ctx.onClientGone` first), not later when the work in progress notices: reading the body, waiting
 * for the provider, or streaming.
 */
import type { RequestContext } from '../../pipeline/context.js';

/**
 * Whether the caller left before the answer was complete; if so the call is recorded as
 * `KW_ERR_CLIENT_CLOSED` (unless an error was already being answered).
 */
export function callerGone(ctx: RequestContext): boolean {
  if (ctx.res.writableFinished) return false;
  ctx.errorCode ??= 'KW_ERR_CLIENT_CLOSED';
  return true;
}

/** Notes a caller that leaves before the AI engine watches the connection (while the body is read). */
export function watchCaller(ctx: RequestContext): void {
  ctx.onClientGone = () => {
    callerGone(ctx);
  };
}
