/** A listener that cannot bind: the setting to change, named, instead of a crash with a stack. */
import { KeywayError } from '../core/errors.js';

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'is already in use (another process listens there)',
  EACCES: 'needs a privilege this process lacks (ports below 1024)',
  EADDRNOTAVAIL: 'is not an address of this host',
};

/** A listener that cannot bind is a setting to change or a process to stop, not a crash with a stack. */
export function listenFailed(field: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const reason = e.code === undefined ? undefined : LISTEN_ERRORS[e.code];
  if (reason === undefined) return err;
  const host = e.address === undefined ? '' : e.address.includes(':') ? `[${e.address}]` : e.address;
  return new KeywayError(
    'KW_ERR_NODE_CONFIG',
    { field, reason: `${host}:${e.port ?? ''} ${reason}` },
    { cause: err },
  );
}
