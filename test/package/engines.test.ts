// Every package the lock file installs supports the Node.js lines package.json promises: `npm ci` and an
// install of the published package then print no EBADENGINE warning (issue: cookie@2 wanted Node 22).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { ROOT } from '../helpers/keyway-process.js';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** The oldest Node.js of each line package.json admits (`^20.19.0 || >=22.13.0` → 20.19.0, 22.13.0). */
function lowestOfEachLine(range: string): string[] {
  return new semver.Range(range).set.map((comparators) => {
    const low = semver.minVersion(comparators.map((c) => c.value).join(' '));
    assert.ok(low !== null, `no version satisfies ${range}`);
    return low.version;
  });
}

test('package.json promises Node.js 20', () => {
  assert.ok(semver.intersects(pkg.engines.node, '20.x'), pkg.engines.node);
  assert.ok(semver.satisfies(process.version, pkg.engines.node), `this Node.js ${process.version}`);
});

test('every locked package supports the oldest Node.js of each line package.json admits', () => {
  const nodes = [...lowestOfEachLine(pkg.engines.node), process.version];
  const misfits: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || Array.isArray(entry.engines)) continue;
    const wants = entry.engines?.node;
    if (wants === undefined) continue;
    for (const node of nodes) {
      if (!semver.satisfies(node, wants))
        misfits.push(`${path}@${entry.version ?? '?'} wants node ${wants}, not ${node}`);
    }
  }
  assert.deepEqual(misfits, []);
});
