/**
 * Architecture rules checked by `make test` (dependency-cruiser): the layers go config -> charts -> lib ->
 * imports, and no module imports itself back through others.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle: move the shared types below both modules, or pass the dependency in as a parameter.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-into-charts',
      severity: 'error',
      comment: 'lib/ is the construct library; it must not depend on the per-cluster compositions in charts/ (pass them in instead).',
      from: { path: '^lib/' },
      to: { path: '^charts/' },
    },
    {
      name: 'no-app-code-into-tests',
      severity: 'error',
      comment: 'Application code must not import test helpers.',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    // imports/ (11 MB of generated bindings) is not parsed: it cost a third of this check's time (1.1 s of 3.4 s CPU).
    // Its one rule (it imports only cdk8s and constructs, never project code) is test/imports-generated.test.ts.
    doNotFollow: { path: '^(node_modules|imports/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|build|dist)' },
  },
};
