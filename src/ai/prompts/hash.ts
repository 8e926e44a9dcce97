/**
 * Content hashes of prompt API definitions. Over canonical JSON (object keys sorted in code-point
 * order), so a definition hashes the same on every node whatever key order the store (PostgreSQL's
 * jsonb reorders keys) or a YAML file gave it. The same rule as src/control/diff.ts's `canonical`,
 * kept here so the data plane does not import the control layer (which imports the plugin registry,
 * which imports this).
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const obj = v as Record<string, unknown>;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) sorted[k] = obj[k];
      return sorted;
    }) ?? 'null'
  );
}

/** 72 bits of SHA-256, base64url: short enough for a header, far from colliding among one workspace's prompts. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 12);
}
