/**
 * Jest transformer: TypeScript to CommonJS with esbuild (already our bundler), no type check (`make test` runs
 * `tsc --noEmit` once). Used instead of @swc/jest because the npm registry reachable here lacks some of
 * @swc/core's per-platform packages, which leaves package-lock.json incomplete for `npm ci`.
 */
const crypto = require('crypto');
const { transformSync } = require('esbuild');

const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };

module.exports = {
  process(source, filename) {
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(JSON.stringify(OPTIONS)).update(filename).update(source).digest('hex');
  },
};
