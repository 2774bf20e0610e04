/**
 * Jest transformer: TypeScript to CommonJS with esbuild (already our bundler), no type check (`make test` runs
 * `tsc --noEmit` once). Used instead of @swc/jest because the npm registry reachable here lacks some of
 * @swc/core's per-platform packages, which leaves package-lock.json incomplete for `npm ci`.
 *
 * The generated bindings in imports/ (up to 6.5 MB and 4,300 exports a file) go through TypeScript's
 * transpileModule instead: its CommonJS assigns each export once (`exports.X = X`), where esbuild defines a getter
 * per export and copies them all into the module object, which every test file paid again on load (about
 * 40 ms a file, measured with test files that only load charts/). It takes seconds on a 6.5 MB file, but only when
 * the file changes (jest's transform cache).
 *
 * And esbuild's `__toESM` helper (what `import * as x from './y'` compiles to) returns a module that is already
 * an ES module compiled to CommonJS (`__esModule` set, as every module of ours and cdk8s-plus's are) as it is,
 * like TypeScript's `__importStar`, instead of copying each export into a new object as a getter: 25 modules import
 * lib/core/k8s.ts's 559 exports that way, about 25 ms of every test file that loads charts/ (measured: 99-111 ->
 * 74-75 ms CPU a file). Reading a property gives the same live value either way; anything else (CommonJS
 * modules without `__esModule`, default imports in node mode) goes through esbuild's helper unchanged.
 */
const crypto = require('crypto');
const { transformSync } = require('esbuild');
const ts = require('typescript');

const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const GENERATED_OPTIONS = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, removeComments: true };
const GENERATED = /[\\/]imports[\\/][^\\/]+\.ts$/;
const TO_ESM = 'var __toESM = (mod, isNodeMode, target) => (';
const TO_ESM_SHARED = 'var __toESM = (mod, isNodeMode, target) => mod != null && mod.__esModule && !isNodeMode ? mod : (';

module.exports = {
  process(source, filename) {
    if (GENERATED.test(filename)) {
      return { code: ts.transpileModule(source, { compilerOptions: GENERATED_OPTIONS, fileName: filename }).outputText };
    }
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    // Fail loudly if an esbuild upgrade changes its helper: the replacement would otherwise silently stop applying.
    if (code.includes('var __toESM =') && !code.includes(TO_ESM)) {
      throw new Error(`esbuild-jest-transform: esbuild ${require('esbuild').version} emits a different __toESM helper than the one this transform rewrites (${TO_ESM}...); update TO_ESM and TO_ESM_SHARED in test/esbuild-jest-transform.js to the new helper's text`);
    }
    return { code: code.replace(TO_ESM, TO_ESM_SHARED) };
  },
  getCacheKey(source, filename) {
    const options = GENERATED.test(filename) ? `typescript ${ts.version} ${JSON.stringify(GENERATED_OPTIONS)}` : JSON.stringify(OPTIONS) + TO_ESM_SHARED;
    return crypto.createHash('sha256').update(options).update(filename).update(source).digest('hex');
  },
};
