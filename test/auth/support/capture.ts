/**
 * Collects everything the auth plugins tell the outside world besides the response: the debug events on
 * `keyway:auth:*` channels and the gateway's plugin-error hook. Tests assert no token or secret is in it.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

export interface Capture {
  lines: string[];
  rejects: Array<{ reason: string; plugin: string }>;
  onPluginError(ctx: unknown, err: unknown): void;
  stop(): void;
  /** Fails if any captured line contains one of the secrets. */
  assertClean(secrets: readonly string[]): void;
}

export function captureAuthEvents(): Capture {
  const c: Capture = {
    lines: [],
    rejects: [],
    onPluginError(_ctx, err) {
      c.lines.push(err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err));
    },
    stop() {
      unsubscribe('keyway:auth:rejected', onReject);
      unsubscribe('keyway:auth:fetch', onFetch);
    },
    assertClean(secrets) {
      for (const line of c.lines)
        for (const s of secrets)
          if (s.length >= 8 && line.includes(s))
            throw new Error(`a secret leaked into: ${line.slice(0, 80)}…`);
    },
  };
  const onReject = (msg: unknown): void => {
    c.lines.push(JSON.stringify(msg));
    c.rejects.push(msg as { reason: string; plugin: string });
  };
  const onFetch = (msg: unknown): void => {
    c.lines.push(JSON.stringify(msg));
  };
  subscribe('keyway:auth:rejected', onReject);
  subscribe('keyway:auth:fetch', onFetch);
  return c;
}
