import { ManifestValidator, readManifestFolder } from '../../lib/validation';
import { EXAMPLES_DIR, SCHEMAS_DIR } from './paths';

/**
 * Throughput guard: validating 20,000 objects (the upstream examples, repeated) must stay fast, and
 * compiling the biggest CRD (InferenceService) must not take seconds. Numbers are printed for the record.
 */
test('validates 20,000 objects quickly, compiling each schema once', () => {
  const validator = ManifestValidator.load(SCHEMAS_DIR);
  const isvc = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'm' }, spec: { predictor: { model: { modelFormat: { name: 'sklearn' } } } } };
  let started = performance.now();
  validator.validate(isvc);
  const isvcCompileMs = performance.now() - started;

  const samples = readManifestFolder([EXAMPLES_DIR]);
  started = performance.now();
  validator.validateAll(samples);
  const firstPassMs = performance.now() - started;

  const objects = Array.from({ length: 20_000 }, (_, i) => samples[i % samples.length]);
  started = performance.now();
  validator.validateAll(objects);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = Math.round(objects.length / seconds);
  console.log(`InferenceService compile+validate: ${isvcCompileMs.toFixed(0)} ms; first pass over ${samples.length} examples (compiles): ${firstPassMs.toFixed(0)} ms; 20,000 objects: ${seconds.toFixed(2)} s = ${perSecond} objects/s`);
  expect(isvcCompileMs).toBeLessThan(5_000);
  expect(seconds).toBeLessThan(30);
});
