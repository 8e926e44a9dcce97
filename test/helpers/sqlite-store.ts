/** Shared setup for the control-layer tests: a fresh SQLite store in a temp directory. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywayError, type ErrorDetail } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

export async function sqliteStore(): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-control-'));
  const store = await openStore({ dataDir: dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An assert.rejects predicate checking the code and, optionally, that these detail paths are present. */
export function rejectsWith(code: string, paths: string[] = []) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof KeywayError, `expected KeywayError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    const got = (err.details ?? []).map((d: ErrorDetail) => d.path);
    for (const p of paths)
      assert.ok(got.includes(p), `missing detail path ${p} in ${JSON.stringify(err.details)}`);
    return true;
  };
}
