/**
 * The import direction of ARCHITECTURE.md, checked by `npm run lint` (in
 * `npm test`). Layers, top to bottom — each imports only layers below it:
 *
 *   main.ts, daemon.ts              composition
 *   http/                           the API
 *   edge/, loops/, tasks/, snapshots/, terminals/, gateway/, egress/, events/   features (independent of each other)
 *   sandboxes/                      the lifecycle service
 *   store/, docker/, workspaces/, network/   adapters (independent of each other)
 *   domain/, errors.ts, config.ts (+ config-values, -shape, -sections, -events), log.ts, telemetry/    the leaf every layer may import
 */
const LEAF = '^src/(domain/|telemetry/|errors\\.ts$|config(-values|-shape|-sections|-events)?\\.ts$|log\\.ts$)';
const COMPOSITION = '^src/(daemon|main)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Import cycles hide which module owns what.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'leaf-imports-only-leaf',
      severity: 'error',
      comment: 'Domain types, errors, config and the logger sit at the bottom: they import nothing of ours above them.',
      from: { path: LEAF },
      to: { path: '^src/', pathNot: LEAF },
    },
    {
      name: 'adapters-import-only-leaf',
      severity: 'error',
      comment: 'store/, docker/, workspaces/ and network/ talk to one outside system each; they import only the leaf and themselves.',
      from: { path: '^src/(store|docker|workspaces|network)/' },
      to: { path: '^src/', pathNot: [LEAF, '^src/$1/'] },
    },
    {
      name: 'lifecycle-below-features',
      severity: 'error',
      comment: 'sandboxes/ owns rows and containers; the edge, loops, tasks, snapshots, terminals, events and the API call it, never the other way.',
      from: { path: '^src/sandboxes/' },
      to: { path: ['^src/(edge|loops|tasks|snapshots|terminals|gateway|egress|events|http)/', COMPOSITION] },
    },
    {
      name: 'features-are-independent',
      severity: 'error',
      comment: 'edge/, loops/, tasks/, snapshots/, terminals/, gateway/, egress/ and events/ meet only in the composition root and the API (emitters hold domain/event.ts EventSink, never the bus).',
      from: { path: '^src/(edge|loops|tasks|snapshots|terminals|gateway|egress|events)/' },
      to: { path: ['^src/(edge|loops|tasks|snapshots|terminals|gateway|egress|events)/', '^src/http/', COMPOSITION], pathNot: '^src/$1/' },
    },
    {
      name: 'api-below-composition',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: COMPOSITION },
    },
    {
      name: 'only-store-imports-sqlite',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: '^node_modules/better-sqlite3/' },
    },
    {
      name: 'only-docker-imports-dockerode',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/docker/' },
      to: { path: '^node_modules/dockerode/' },
    },
    {
      name: 'only-telemetry-imports-prom-client',
      severity: 'error',
      comment: 'Metrics are defined in one registry (src/telemetry/metrics.ts); components record through it.',
      from: { path: '^src/', pathNot: '^src/telemetry/' },
      to: { path: '^node_modules/prom-client/' },
    },
    {
      name: 'only-the-api-imports-fastify',
      severity: 'error',
      comment: 'Services, loops and adapters never know about HTTP frameworks (the daemon only holds the app it built).',
      from: { path: '^src/', pathNot: ['^src/http/', COMPOSITION] },
      to: { path: '^node_modules/(fastify|@fastify/|fastify-)' },
    },
    {
      name: 'src-uses-runtime-dependencies',
      severity: 'error',
      comment: 'A devDependency is not installed in the sandboxd image.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'sdk-imports-nothing',
      severity: 'error',
      comment: 'The SDK runs wherever fetch does (browsers, Node): it imports no package and no Node built-in.',
      from: { path: '^sdk/src/' },
      to: { pathNot: '^sdk/src/' },
    },
    {
      name: 'src-never-imports-clients',
      severity: 'error',
      comment: 'sdk/ and cli/ are clients of the API: the daemon does not depend on them.',
      from: { path: '^src/' },
      to: { path: '^(sdk|cli)/' },
    },
    {
      name: 'cli-uses-the-sdk-package',
      severity: 'error',
      comment: 'The CLI imports @sandboxed/sdk as any app does, never the SDK’s sources.',
      from: { path: '^cli/src/' },
      to: { path: '^sdk/src/' },
    },
    {
      name: 'resolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
