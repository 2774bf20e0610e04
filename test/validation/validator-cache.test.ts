/**
 * The compiled-validator cache (lib/validation/validator-cache.ts): a validator loaded from the cache gives the
 * same verdicts and the same errors as the one ajv compiles, the key decides what is reused, and a damaged or
 * missing cache only costs a compile.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Options, ValidateFunction } from 'ajv';
import { PlatformConfigSchema } from '../../lib/config/schema';
import { ManifestValidator } from '../../lib/validation';
import { VALIDATOR_CACHE_ENV, ValidatorCache } from '../../lib/validation/validator-cache';
import { exampleConfig } from '../util';
import { SCHEMAS_DIR } from './paths';

let dir: string;
let saved: string | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-cache-'));
  saved = process.env[VALIDATOR_CACHE_ENV];
  process.env[VALIDATOR_CACHE_ENV] = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env[VALIDATOR_CACHE_ENV];
  else process.env[VALIDATOR_CACHE_ENV] = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

const OPTIONS: Options = {
  allErrors: true,
  verbose: true,
  formats: { even: { type: 'number', validate: (n: number) => n % 2 === 0 } },
};
const SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[a-z]+$' }, size: { type: 'number', format: 'even' } },
  required: ['name'],
  additionalProperties: false,
};

/** The validator of SCHEMA through a cache on `dir`, and whether it had to be compiled. */
function throughCache(key = 'schema'): { validate: ValidateFunction; compiled: boolean } {
  const cache = ValidatorCache.fromEnvironment(OPTIONS);
  let compiled = false;
  const validate = cache.validator(key, () => {
    compiled = true;
    return cache.ajv.compile(SCHEMA);
  })!;
  return { validate, compiled };
}

/**
 * Verdict and errors of a validator on each sample, as JSON (the errors' `parentSchema` of a loaded validator is
 * a copy of the schema, without TypeBox's symbol keys, which no message reads).
 */
function results(validate: ValidateFunction, samples: readonly unknown[]): [boolean, unknown][] {
  return samples.map((sample) => [validate(sample) as boolean, JSON.parse(JSON.stringify(validate.errors ?? null))]);
}

const SAMPLES = [{ name: 'ok', size: 2 }, { name: 'Bad', size: 3, extra: true }, { size: 'x' }, 'not an object'];

test('compiled once, then loaded from the folder with the same verdicts and errors (custom formats included)', () => {
  const first = throughCache();
  expect(first.compiled).toBe(true);
  expect(fs.readdirSync(dir)).toHaveLength(1);
  const second = throughCache();
  expect(second.compiled).toBe(false);
  const expected = results(first.validate, SAMPLES);
  expect(expected.map(([valid]) => valid)).toEqual([true, false, false, false]);
  expect(results(second.validate, SAMPLES)).toEqual(expected);
});

test('another key compiles again; a damaged file is compiled again and replaced', () => {
  throughCache('one');
  expect(throughCache('two').compiled).toBe(true);
  for (const name of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, name), 'module.exports = (');
  const repaired = throughCache('one');
  expect(repaired.compiled).toBe(true);
  expect(results(repaired.validate, SAMPLES)[1][0]).toBe(false);
  expect(throughCache('one').compiled).toBe(false);
});

test('without the environment variable nothing is cached', () => {
  delete process.env[VALIDATOR_CACHE_ENV];
  expect(throughCache().compiled).toBe(true);
  expect(throughCache().compiled).toBe(true);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('the platform config validator: loaded code reports what the compiled one reports', () => {
  const compile = () => {
    const cache = ValidatorCache.fromEnvironment({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    return cache.validator('platform config', () => cache.ajv.compile(PlatformConfigSchema))!;
  };
  const compiled = compile();
  const loaded = compile();
  expect(loaded).not.toBe(compiled);
  const broken = exampleConfig() as any;
  broken.clusters.serving.serving.unknownKey = 1;
  broken.clusters.training.nodePools = 'none';
  delete broken.clusters['data-processing'].region;
  const samples = [exampleConfig(), broken, {}];
  const expected = results(compiled, samples);
  expect(expected.map(([valid]) => valid)).toEqual([true, false, false]);
  expect(results(loaded, samples)).toEqual(expected);
});

test('the upstream schemas: a cached ManifestValidator reports exactly what a freshly compiled one reports', () => {
  const objects = [
    // Small schemas of each family (compiling is what the cache saves, so the test keeps it short).
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'n', labels: { x: 1 } }, spec: { ports: [{ port: 'http', bogus: 1 }] } },
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'g', namespace: 'n' }, spec: { url: 3, interval: '1m', unknown: true } },
    { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'aad-pod-identity', namespace: 'n' }, spec: { chart: { spec: { chart: 'aad-pod-identity', version: '4.1.18' } }, values: { rbac: 'yes', unknown: 1 } } },
  ].map((obj, i) => ({ obj, source: `<object ${i}>` }));
  const compiled = ManifestValidator.load(SCHEMAS_DIR).validateAll(objects);
  expect(fs.readdirSync(dir).length).toBeGreaterThan(2);
  const loaded = ManifestValidator.load(SCHEMAS_DIR).validateAll(objects);
  expect(compiled.length).toBeGreaterThan(4);
  expect(loaded).toEqual(compiled);
});
