/**
 * Logs the request path's failures and counts the upstream ones in the metrics, from the channels the
 * data plane publishes them on (src/pipeline/diagnostics.ts): a plugin's bug at error level, a failed
 * upstream exchange at warn level, each with the request id. Upstream details stay here, in the log:
 * the client only ever got the KW_ERR_* code.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CallObserver } from '../observe/call-observer.js';
import {
  pluginErrorChannel,
  upstreamErrorChannel,
  type PluginErrorMessage,
  type UpstreamErrorMessage,
} from '../pipeline/diagnostics.js';

export interface FailureLogOptions {
  /** The node's metrics, once observability started. */
  observer(): CallObserver | undefined;
  /** Whether a request came through this node's listeners (the channels are process-wide). */
  serves(res: ServerResponse): boolean;
}

/** Subscribes; returns the undo. */
export function logFailures(log: Logger, opts: FailureLogOptions): () => void {
  const onPlugin = (message: unknown): void => {
    const { ctx, error } = message as PluginErrorMessage;
    if (!opts.serves(ctx.res)) return;
    pluginFailed(log, ctx, error);
  };
  const onUpstream = (message: unknown): void => {
    const { ctx, target, error } = message as UpstreamErrorMessage;
    if (!opts.serves(ctx.res)) return;
    const code = (error as { code?: string }).code;
    opts.observer()?.upstreamFailed(ctx.route.workspace, ctx.route.service.name, target, code ?? '');
    log.warn(
      {
        request_id: ctx.requestId,
        route: ctx.route.name,
        service: ctx.route.service.name,
        target,
        code,
        reason: error.message,
      },
      'upstream call failed',
    );
  };
  pluginErrorChannel.subscribe(onPlugin);
  upstreamErrorChannel.subscribe(onUpstream);
  return () => {
    pluginErrorChannel.unsubscribe(onPlugin);
    upstreamErrorChannel.unsubscribe(onUpstream);
  };
}

function pluginFailed(log: Logger, ctx: { requestId: string; route: { name: string } }, err: unknown): void {
  log.error(
    {
      request_id: ctx.requestId,
      route: ctx.route.name,
      err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
    },
    'plugin failed',
  );
}
