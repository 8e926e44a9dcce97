/**
 * `keyway demo [--listen HOST:PORT]`: runs the demo echo backend (src/demo/echo-backend.ts) in the
 * foreground, one line per request on stdout, until Ctrl-C. The README's walkthrough routes to it.
 */
import { startEchoBackend } from '../../demo/echo-backend.js';
import { CliError, type CliContext } from '../context.js';

export const DEMO_LISTEN = '127.0.0.1:9000';

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):([0-9]{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (m === null || port > 65535)
    throw new CliError(`--listen must look like 127.0.0.1:9000 or :9000, not "${text}"`, 2);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export async function demoCommand(ctx: CliContext, opts: { listen: string | undefined }): Promise<number> {
  const { host, port } = parseListen(opts.listen ?? DEMO_LISTEN);
  let backend;
  try {
    backend = await startEchoBackend(host, port, (line) => ctx.output.out(line));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CliError(
      `cannot listen on ${host}:${port} (${code})${code === 'EADDRINUSE' ? ': is a demo already running? (--listen picks another address)' : ''}`,
    );
  }
  ctx.output.err(
    `Keyway demo backend on http://${backend.address}: it answers every request with a JSON echo of it ` +
      `(?status=503 answers 503). Ctrl-C stops it.`,
  );
  const stop = (): void => {
    void backend.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
