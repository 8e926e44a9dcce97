/**
 * Failures on the request path, published on `node:diagnostics_channel` (as undici publishes
 * `undici:request:error`) for whoever wants them — the node's log and metrics subscribe (src/server/node.ts);
 * the data plane knows no logger. Channel names and messages are documented in docs/observability.md.
 *
 * A message is made only when someone subscribed, and only on a failure: nothing on the hot path.
 * The channels are process-wide: a process that runs several gateways (tests) tells them apart by the
 * response (ProxyServer.serves).
 */
import { channel } from 'node:diagnostics_channel';
import type { RequestContext } from './context.js';

/** `keyway:plugin:error`: a plugin threw something that is not a KeywayError — a bug. */
export interface PluginErrorMessage {
  ctx: RequestContext;
  error: unknown;
}

/** `keyway:upstream:error`: one exchange with an upstream target failed (it may be retried). */
export interface UpstreamErrorMessage {
  ctx: RequestContext;
  /** `host:port` of the target. */
  target: string;
  error: Error;
}

export const pluginErrorChannel = channel('keyway:plugin:error');
export const upstreamErrorChannel = channel('keyway:upstream:error');

export function pluginFailed(ctx: RequestContext, error: unknown): void {
  if (pluginErrorChannel.hasSubscribers)
    pluginErrorChannel.publish({ ctx, error } satisfies PluginErrorMessage);
}

export function upstreamFailed(ctx: RequestContext, target: string, error: Error): void {
  if (upstreamErrorChannel.hasSubscribers)
    upstreamErrorChannel.publish({ ctx, target, error } satisfies UpstreamErrorMessage);
}
