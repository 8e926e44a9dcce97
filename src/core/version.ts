/** Keyway's version, read once from package.json (the one place it is written). */
import { readFileSync } from 'node:fs';

function read(): string {
  // dist/src/core/version.js and src/core/version.ts both sit three levels below the package root.
  const url = new URL('../../../package.json', import.meta.url);
  try {
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const KEYWAY_VERSION = read();
