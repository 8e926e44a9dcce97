// `npm run bench`: the main comparison (bench/run.mjs: direct, nginx, the Node ceiling, Keyway variants),
// then the focused measurements the issues ask for, one after another on a quiet machine:
//   keys-scale        authenticated throughput with 1,000 vs 1,000,000 keys, and RSS (needs wrk)
//   refused-upstream  time to a 502 when the upstream refuses connections
//   limits-accuracy   3 nodes sharing Redis: admitted requests against the limit (needs wrk and Redis)
//   ai-overhead       what the AI gateway adds per call and to the first streamed token (fake provider)
//   admin-load        proxy p99 while a ~5 MB apply and 100 concurrent admin writes run, against idle (needs wrk)
// Arguments go to bench/run.mjs; `--only-main` skips the focused ones.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const onlyMain = args.includes('--only-main');
const steps = [['run.mjs', args.filter((a) => a !== '--only-main')]];
if (!onlyMain)
  steps.push(
    ['keys-scale.mjs', ['--duration', '6']],
    ['refused-upstream.mjs', []],
    ['limits-accuracy.mjs', []],
    ['ai-overhead.mjs', []],
    ['admin-load.mjs', []],
  );

let failed = 0;
for (const [script, scriptArgs] of steps) {
  console.log(`\n=== ${script} ${scriptArgs.join(' ')}`.trimEnd());
  const r = spawnSync(process.execPath, [`${dir}${script}`, ...scriptArgs], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`=== ${script} did not complete (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
