// The layer rule of docs/architecture.md, checked by `npm run lint` (CI runs it): imports between the
// folders of src/ flow one way, from a layer to the layers below it, and no module imports itself back
// through others. Type-only imports count (`tsPreCompilationDeps`): a cycle through types still ties the
// files together for a reader, and it is how every cycle of issue 21 started.

/** The folders of src/, bottom-up: each may import only the folders before it. */
const LAYERS = [
  'core', // errors, validation, ids, calendar periods: imports nothing of Keyway
  'model', // resource kinds and their JSON schemas
  'pipeline', // the request context, identity, plugin contract, service interfaces, the error writer
  'store', // persistence (Kysely, migrations)
  'keys', // credential engine (API keys, JWT, certificates)
  'limits', // counting (stores, limit compilation, RateLimit headers)
  'observe', // call records, metrics, tracing, alerts
  'ai', // AI gateway (providers, engine, endpoints, policy)
  'plugins', // one folder per plugin
  'snapshot', // compiles the configuration into what the data plane serves
  'proxy', // the data plane (listener, phases, forwarding)
  'control', // control-plane services (config writes, declarative apply, usage reports)
  'cluster', // change events, Redis, the primary's counters
  'web', // serving the built web apps (console, portal): static files and their security headers
  'admin', // admin API
  'portal', // the developer portal's API, on its own listener (it reuses the admin API's error answers)
  'server', // a node: composes everything above, its settings and process roles
  'demo',
  'cli',
];

/** Tests beside the code they test exercise it from outside: they may import any layer, and test/helpers/. */
const TESTS = '\\.test\\.ts$';

const layerRules = LAYERS.map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  return {
    name: `layer-${layer}`,
    comment: `src/${layer}/ may import only ${LAYERS.slice(0, i).join(', ') || 'nothing of src/'} (docs/architecture.md)`,
    severity: 'error',
    from: { path: `^src/${layer}/`, pathNot: TESTS },
    to: above.length === 0 ? { path: '^$' } : { path: `^src/(${above.join('|')})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a module that imports itself back through others (type-only imports count)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of src/ has a place in LAYERS (.dependency-cruiser.cjs, docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')})/` },
      to: {},
    },
    {
      name: 'src-not-to-test',
      comment: 'shipped code never imports test code (it would not be in the package)',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^test/' },
    },
    ...layerRules,
  ],
  options: {
    includeOnly: '^(src|test)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
    doNotFollow: { path: 'node_modules' },
  },
};
