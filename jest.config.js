/**
 * Jest runs TypeScript through esbuild (no type check: `make test` runs `tsc --noEmit` once, up front).
 * One worker per core: most of a test file's time is loading modules, which parallelizes well (jest's default
 * of cores - 1 leaves one of this 2-core machine's cores idle).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/esbuild-jest-transform.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  maxWorkers: '100%',
  testTimeout: 60000,
};
