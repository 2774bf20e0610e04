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
 */
const crypto = require('crypto');
const { transformSync } = require('esbuild');
const ts = require('typescript');

const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const GENERATED_OPTIONS = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, removeComments: true };
const GENERATED = /[\\/]imports[\\/][^\\/]+\.ts$/;

module.exports = {
  process(source, filename) {
    if (GENERATED.test(filename)) {
      return { code: ts.transpileModule(source, { compilerOptions: GENERATED_OPTIONS, fileName: filename }).outputText };
    }
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename) {
    const options = GENERATED.test(filename) ? `typescript ${ts.version} ${JSON.stringify(GENERATED_OPTIONS)}` : JSON.stringify(OPTIONS);
    return crypto.createHash('sha256').update(options).update(filename).update(source).digest('hex');
  },
};
