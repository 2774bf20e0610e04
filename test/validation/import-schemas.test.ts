import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateSchemaFiles, writeSchemaFiles } from '../../lib/validation/importer/import-schemas';
import { shareRepeatedSubschemas } from '../../lib/validation/importer/shared-subschemas';
import { toStrictSchema } from '../../lib/validation/importer/strict-schema';
import { CRD_SCHEMA_SETS, crdSetId } from '../../lib/validation/crd-sets';
import { SCHEMAS_DIR, SHARED_DIR } from './paths';

const inputs = { k8sSchemasDir: path.join(SHARED_DIR, 'k8s-schemas'), sharedDir: SHARED_DIR };

/** All files under `dir` (relative, sorted) with their bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const relative = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(relative);
      } else {
        files.set(relative, fs.readFileSync(path.join(dir, relative)));
      }
    }
  };
  walk('');
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('import-schemas', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-schemas-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('is deterministic: two runs into different folders are byte-identical', () => {
    writeSchemaFiles(path.join(tmp, 'a'), generateSchemaFiles(inputs));
    writeSchemaFiles(path.join(tmp, 'b'), generateSchemaFiles(inputs));
    const a = readTree(path.join(tmp, 'a'));
    const b = readTree(path.join(tmp, 'b'));
    expect(a.size).toBeGreaterThan(20);
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect([...a].filter(([file, bytes]) => !bytes.equals(b.get(file) as Buffer)).map(([file]) => file)).toEqual([]);
  });

  test('the committed imports/schemas equals a fresh import (run "make import" if this fails)', () => {
    const fresh = readTree(path.join(tmp, 'a'));
    const committed = readTree(SCHEMAS_DIR);
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    expect([...fresh].filter(([file, bytes]) => !bytes.equals(committed.get(file) as Buffer)).map(([file]) => file)).toEqual([]);
  });

  test('skips legacy CRD copies, keeps both Kubernetes versions, writes kubeconform layout', () => {
    const index = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'index.json'), 'utf8'));
    expect(Object.keys(index.kubernetes)).toEqual(['1.27.0', '1.36.0']);
    expect(index.crdSets['flux@v2.9.4']['source.toolkit.fluxcd.io/v1beta2 GitRepository']).toBeUndefined();
    expect(index.crdSets['kserve@v0.16.0']['serving.kserve.io/v1beta1 InferenceService']).toBe('crds/kserve-v0.16.0/serving.kserve.io/inferenceservice_v1beta1.json');
    expect(index.crdSets['kserve@v0.20.0']['serving.kserve.io/v1beta1 InferenceService']).toBe('crds/kserve-v0.20.0/serving.kserve.io/inferenceservice_v1beta1.json');
    // Strimzi 1.2.0 comes from crds-extra and serves only v1.
    expect(index.crdSets['strimzi@1.2.0']['kafka.strimzi.io/v1 Kafka']).toBe('crds/strimzi-1.2.0/kafka.strimzi.io/kafka_v1.json');
    expect(index.crdSets['strimzi@1.2.0']['kafka.strimzi.io/v1beta2 Kafka']).toBeUndefined();
    expect(fs.readFileSync(path.join(SCHEMAS_DIR, 'README.md'), 'utf8')).toMatch(/x-kubernetes-validations/);
  });
});

test('one schema set per operator version: exactly the sets of lib/validation/crd-sets.ts, each from its own CRDs', () => {
  const index = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'index.json'), 'utf8'));
  expect(Object.keys(index.crdSets).sort()).toEqual(CRD_SCHEMA_SETS.map((s) => crdSetId(s.name, s.version)).sort());
  // The Gateway API bundle of Envoy Gateway 1.5.0 is v1.3.0 experimental: it has XListenerSet, v1.4.1 standard has not.
  expect(index.crdSets['gateway-api@v1.3.0']['gateway.networking.x-k8s.io/v1alpha1 XListenerSet']).toBeDefined();
  expect(index.crdSets['gateway-api@v1.4.1']['gateway.networking.x-k8s.io/v1alpha1 XListenerSet']).toBeUndefined();
  // KServe v0.20.0 added spec.predictor.hostnameOverride; v0.16.0 does not know it.
  const isvc = (set: string) => fs.readFileSync(path.join(SCHEMAS_DIR, index.crdSets[set]['serving.kserve.io/v1beta1 InferenceService']), 'utf8');
  expect(isvc('kserve@v0.20.0')).toMatch(/hostnameOverride/);
  expect(isvc('kserve@v0.16.0')).not.toMatch(/hostnameOverride/);
});

describe('toStrictSchema', () => {
  test('closes objects with properties, unless preserve-unknown-fields or explicit additionalProperties', () => {
    expect(toStrictSchema({ type: 'object', description: 'd', properties: { description: { type: 'string', description: 'x' } } }))
      .toEqual({ type: 'object', additionalProperties: false, properties: { description: { type: 'string' } } });
    expect(toStrictSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } }))
      .toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(toStrictSchema({ type: 'object', additionalProperties: { type: 'string' } }))
      .toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  });

  test('does not close property lists inside oneOf/anyOf/not (they only add constraints)', () => {
    const strict = toStrictSchema({ type: 'object', properties: { a: { type: 'string' } }, oneOf: [{ properties: { a: { enum: ['x'] } } }] });
    expect(strict).toEqual({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } }, oneOf: [{ properties: { a: { enum: ['x'] } } }] });
  });

  test('int-or-string, bare type unions and nullable become type lists', () => {
    expect(toStrictSchema({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, pattern: '^\\d+%?$' }))
      .toEqual({ type: ['integer', 'string'], pattern: '^\\d+%?$' });
    expect(toStrictSchema({ oneOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ type: ['number', 'string'] });
    expect(toStrictSchema({ type: 'string', enum: ['a'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
  });

  test('embedded resources get apiVersion/kind/metadata; bad patterns are dropped and reported', () => {
    expect(toStrictSchema({ type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } }))
      .toEqual({ type: 'object', additionalProperties: false, properties: { spec: { type: 'object' }, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } } });
    const dropped: string[] = [];
    expect(toStrictSchema({ type: 'string', pattern: '(?<' }, { onDroppedPattern: (p) => dropped.push(p) })).toEqual({ type: 'string' });
    expect(dropped).toEqual(['(?<']);
  });
});

describe('shareRepeatedSubschemas', () => {
  test('moves repeated large sub-schemas to definitions, deterministically', () => {
    const big = { type: 'object', additionalProperties: false, properties: Object.fromEntries([...'abcdefghij'].map((c) => [`field_${c}`, { type: 'string' }])) };
    const shared = shareRepeatedSubschemas({ type: 'object', properties: { one: big, two: { type: 'array', items: big } } }, { minChars: 50 });
    const name = Object.keys(shared.definitions as object)[0];
    expect(name).toMatch(/^one-[0-9a-f]{10}$/);
    expect(shared).toEqual({
      type: 'object',
      properties: { one: { $ref: `#/definitions/${name}` }, two: { type: 'array', items: { $ref: `#/definitions/${name}` } } },
      definitions: { [name]: big },
    });
  });
});
