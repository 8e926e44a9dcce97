// What one attribute rule costs a request, without the network: the access-rules plugin's authorize handler
// (build the variables the rule reads, evaluate the compiled CEL, decide), called N times on a request context
// as the proxy makes one, for a key-auth identity on the gold plan at 12:00 Paris time (pinned clock): every
// rule below is evaluated in full and lets the request through. Prints ns per request for "gold plan only
// 08:00–20:00 Europe/Paris", the rule of bench/scenarios/keyway-key-auth-rule.mjs and a few others. Issue 22
// asks ≤ 5 µs for a typical rule. Needs a build (npm run build).
//
//   node bench/cel-rule.mjs [--n 1000000]
//
// On a loaded machine the figures are upper bounds: each is the lowest of three rounds.
import { parseArgs } from 'node:util';
import { accessRules } from '../dist/src/plugins/access-rules/index.js';
import { IdentityIndex } from '../dist/src/snapshot/identities.js';
import { BENCH_RULE } from './scenarios/keyway-key-auth-rule.mjs';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' } } });
const N = Number(values.n);

const now = Date.UTC(2026, 0, 15, 11, 0);
const identities = IdentityIndex.build({
  consumers: [
    { id: 'c1', username: 'bench', plan: 'gold', groups: ['staff'], created_at: '', updated_at: '' },
  ],
  apps: [{ id: 'a1', name: 'bench-app', consumer: 'bench', created_at: '', updated_at: '' }],
  plans: [{ name: 'silver' }, { name: 'gold' }],
});
const identity = Object.freeze(
  identities.appIdentity(identities.appById.get('a1'), {
    credentialId: 'k1',
    attributes: { key_env: 'live', metadata: { env: 'prod' } },
  }),
);
// The fields the handler reads, as the proxy's RequestContext has them.
const ctx = {
  req: { method: 'GET', url: '/teams/red/reports?limit=10', headers: { host: 'api', 'x-tenant': 'red' } },
  params: { team: 'red' },
  clientIp: '198.51.100.7',
  identity,
  decisions: undefined,
};

const RULES = {
  // The handler around any rule: the decision loop and an empty set of variables.
  'baseline true': ['allow', 'true'],
  'office hours': [
    'deny',
    'plan == "gold" && (now.getHours("Europe/Paris") < 8 || now.getHours("Europe/Paris") >= 20)',
  ],
  'bench scenario': ['allow', BENCH_RULE],
  'key metadata': ['allow', 'has(key.metadata.env) && key.metadata.env == "prod"'],
  'param = header': ['allow', 'request.params.team == request.headers["x-tenant"]'],
  'roles or method': ['allow', '"staff" in roles || request.method == "GET"'],
};

for (const [label, [effect, when]] of Object.entries(RULES)) {
  const handlers = accessRules.create(
    { rules: [{ name: 'r', when, effect, mode: 'enforce' }] },
    { workspace: 'default', identities, services: { now: () => now } },
  );
  const authorize = handlers.authorize;
  for (let i = 0; i < 100_000; i++) authorize(ctx); // warm up: let V8 optimise the handler
  // Wall time and this process's CPU time per request: on a shared machine the CPU figure is the one to
  // read (the wall clock also counts the time other processes held the core).
  const rounds = [];
  const cpu = [];
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) authorize(ctx);
    rounds.push(Number(process.hrtime.bigint() - t0) / N);
    const c = process.cpuUsage(c0);
    cpu.push(((c.user + c.system) * 1000) / N);
  }
  if (ctx.decisions !== undefined) throw new Error(`the rule "${label}" refused the bench request`);
  const best = Math.min(...rounds);
  const bestCpu = Math.min(...cpu);
  console.log(
    `${label.padEnd(16)} ${best.toFixed(0).padStart(6)} ns/request wall, ${bestCpu.toFixed(0).padStart(6)} ns CPU` +
      `  (wall rounds: ${rounds.map((r) => r.toFixed(0)).join(', ')})  ${when}`,
  );
}
