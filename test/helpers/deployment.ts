/**
 * What the deployment files (Dockerfile, docker-compose.yml, the Kubernetes manifests) may name: the
 * environment variables and file keys Keyway's node settings declare (src/server/settings.ts), so that a
 * renamed or misspelt setting in a deployment file fails a test instead of being silently ignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listSettings } from '../../src/core/settings-schema.js';
import { nodeSettingsSchema } from '../../src/server/settings.js';
import { ROOT } from './keyway-process.js';

const entries = listSettings(nodeSettingsSchema);

/** The `KEYWAY_*` variables a node reads, less those set only by Keyway itself (`KEYWAY_WORKER_SLOT`). */
export const NODE_ENV_NAMES: ReadonlySet<string> = new Set(
  entries
    .filter((e) => e.env?.startsWith('KEYWAY_') === true && e.leaf.internal !== true)
    .map((e) => e.env ?? ''),
);

/** The dotted keys of a node's config file (`proxy.listen`). */
export const NODE_FILE_KEYS: ReadonlySet<string> = new Set(
  entries.filter((e) => e.fileKey !== undefined && e.leaf.internal !== true).map((e) => e.fileKey ?? ''),
);

/** Variables of the runtime, not of Keyway, that deployment files may set. */
const RUNTIME_ENV = new Set(['NODE_ENV', 'NODE_OPTIONS', 'TZ']);

/** The names among `names` that no node reads: each with where it was found. */
export function unknownEnvNames(names: Iterable<string>): string[] {
  return [...names].filter((n) => !NODE_ENV_NAMES.has(n) && !RUNTIME_ENV.has(n));
}

/** Every `KEYWAY_*` word in a text (comments included: a comment naming a setting must name a real one). */
export function keywayNamesIn(text: string): Set<string> {
  return new Set(text.match(/\bKEYWAY_[A-Z0-9_]+\b/g) ?? []);
}

export function repoFile(...path: string[]): string {
  return readFileSync(join(ROOT, ...path), 'utf8');
}

/** The port of a `host:port` listen setting's default (`0.0.0.0:8000` → 8000). */
export function defaultPort(fileKey: string): number {
  const entry = entries.find((e) => e.fileKey === fileKey);
  const value = entry?.leaf.fallback as { port?: number } | undefined;
  if (value?.port === undefined) throw new Error(`${fileKey} is not a listen setting`);
  return value.port;
}
