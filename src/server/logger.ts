/**
 * The node's logger: pino, JSON lines on stdout for log collectors, or readable lines (pino-pretty) for a
 * person watching a terminal. `log.format: auto` (the default) picks by whether stdout is a terminal,
 * the convention of Caddy and others. The human banner goes to stderr either way (node.ts), so a file or
 * a pipe of stdout holds nothing but log lines.
 */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { NodeSettings } from './settings.js';

export type LogFormat = 'auto' | 'json' | 'pretty';

export function resolveLogFormat(format: LogFormat, stdoutIsTty: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTty ? 'pretty' : 'json';
}

export function createLogger(settings: NodeSettings['log']): Logger {
  const options = { level: settings.level, base: { service: 'keyway' } };
  if (resolveLogFormat(settings.format, process.stdout.isTTY === true) === 'json') return pino(options);
  // Synchronous, on this thread: a terminal is for a person at human rates, not for a benchmark, and a
  // worker-thread transport would lose the last lines when the process exits.
  // Loaded only here: a node logging JSON (every service manager's and container's case) does not carry it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pino(
    options,
    pretty({
      sync: true,
      // Node's own answer: no colours under NO_COLOR, NODE_DISABLE_COLORS or a dumb terminal.
      colorize: process.stdout.isTTY === true && process.stdout.hasColors(),
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,service',
      singleLine: true,
    }),
  );
}
