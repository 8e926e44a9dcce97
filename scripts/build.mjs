// `npm run build`: tsc, then the admin API's OpenAPI document and the client types generated from it
// (scripts/admin-api-types.mjs). The types are committed, so a clean clone type-checks on the first pass;
// when the routes changed them, they are rewritten and tsc runs once more, so what was built is checked
// against the API it describes. tsc emits JavaScript even when it reports type errors, so a first pass
// that failed only on stale types (the CLI calling a path the routes just changed) still yields the
// admin app the document is made from.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = () =>
  spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')],
    {
      stdio: 'inherit',
    },
  ).status ?? 1;

const first = tsc();
const { writeAdminApi } = await import('./admin-api-types.mjs');
let changed;
try {
  changed = await writeAdminApi();
} catch (err) {
  console.error('cannot describe the admin API from dist/:', err);
  process.exit(first === 0 ? 1 : first);
}
if (!changed) process.exit(first);
console.log('admin API types changed: wrote src/admin/openapi/admin-api.d.ts; type-checking again');
process.exit(tsc());
