/**
 * Jest runs TypeScript through esbuild (no type check: `make test` runs `tsc --noEmit` once, up front).
 * Two projects: `fast` (make test, the inner loop) and `slow` (make test-slow: the process, robustness and scale
 * scenarios listed in test/slow-tests.json). CI runs both; `npx jest` alone runs both.
 * One worker per core: most of a test file's time is loading modules, which parallelizes well (jest's default
 * of cores - 1 leaves one of this 2-core machine's cores idle).
 */
const path = require('path');
const { files: SLOW } = require('./test/slow-tests.json');

// Compiled ajv validators shared by the test files (and `make validate`), keyed by the schemas: see
// lib/validation/validator-cache.ts. Set here so that every worker (and every CLI a test spawns) inherits it.
process.env.ML_PLATFORM_VALIDATOR_CACHE ??= path.join(__dirname, 'node_modules', '.cache', 'validators');

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': '<rootDir>/test/esbuild-jest-transform.js' },
  // Reads the large generated sources once per worker, not once per test file (see the file).
  runtime: '<rootDir>/test/jest-runtime.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  maxWorkers: '100%',
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'fast', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...SLOW.map((file) => `/${escape(file)}$`)] },
    { ...base, displayName: 'slow', testMatch: SLOW.map((file) => `<rootDir>/${file}`) },
  ],
};
