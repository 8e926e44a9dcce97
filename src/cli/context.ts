/**
 * What every command runs with: where the admin API is, how to authenticate, and where output goes.
 * Commands take it as a parameter instead of reading `process` so tests run them in-process against a
 * real admin API and read what they printed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorCode } from '../core/errors.js';

export interface Output {
  /** Results: what a script would pipe somewhere. */
  out(text: string): void;
  /** Diagnostics and errors. */
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

export interface CliContext {
  adminUrl: string;
  /** Given by flag or environment; else read from `<dataDir>/admin-token` when first needed. */
  token?: string;
  dataDir: string;
  json: boolean;
  output: Output;
}

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8001';
export const DEFAULT_DATA_DIR = './data';

/**
 * A failure the CLI explains in one line and exits with; no stack trace for the user. Exit code 2 is a
 * usage error (`KW_ERR_CLI_USAGE`); `--json` prints the code and message as `{"error": {…}}`.
 */
export class CliError extends Error {
  readonly code: ErrorCode;
  constructor(
    message: string,
    readonly exitCode = 1,
    code?: ErrorCode,
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code ?? (exitCode === 2 ? 'KW_ERR_CLI_USAGE' : 'KW_ERR_INTERNAL');
  }
}

export async function resolveToken(ctx: CliContext): Promise<string> {
  if (ctx.token !== undefined && ctx.token !== '') return ctx.token;
  const file = join(ctx.dataDir, 'admin-token');
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token !== '') return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(
        `cannot read the admin token from ${file}: ${(err as Error).message}`,
        1,
        'KW_ERR_UNAUTHORIZED',
      );
    }
  }
  throw new CliError(
    `no admin token: pass --token, set KEYWAY_ADMIN_TOKEN, or point --data-dir (KEYWAY_DATA_DIR) at the ` +
      `directory holding admin-token (looked in ${file})`,
    1,
    'KW_ERR_UNAUTHORIZED',
  );
}
