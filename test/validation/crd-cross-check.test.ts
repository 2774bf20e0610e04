import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { ManifestValidator, readManifestFolder } from '../../lib/validation';
import { EXAMPLES_DIR, SCHEMAS_DIR, SHARED_DIR } from './paths';

/**
 * Cross-check against the independently made kubeconform schemas in shared/crd-schemas (datreeio/CRDs-catalog):
 * on every upstream example of a CRD they cover, both must give the same verdict, and after adding an unknown
 * field to any object below the root (the catalog leaves the root and metadata open, we do not) or putting a
 * wrong-typed value in any scalar, both must agree whether that is rejected.
 */
const CATALOG_DIR = path.join(SHARED_DIR, 'crd-schemas');
const validator = ManifestValidator.load(SCHEMAS_DIR);
const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false, validateFormats: false });
const catalog = new Map<string, ValidateFunction | undefined>();

function catalogValidator(obj: any): ValidateFunction | undefined {
  const [group, version] = String(obj.apiVersion).split('/');
  const file = path.join(CATALOG_DIR, group, `${String(obj.kind).toLowerCase()}_${version}.json`);
  if (!catalog.has(file)) {
    catalog.set(file, fs.existsSync(file) ? ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8'))) : undefined);
  }
  return catalog.get(file);
}

/** Our verdict on the CRD part only (the catalog does not check metadata). */
const oursAccepts = (obj: unknown) => validator.validate(obj).every((i) => !i.schema.startsWith('crd'));

const covered = readManifestFolder([EXAMPLES_DIR])
  .filter(({ obj }) => catalogValidator(obj) !== undefined)
  .map(({ obj, source }) => ({ obj: obj as any, name: `${path.relative(EXAMPLES_DIR, source)} ${(obj as any).kind} ${(obj as any).metadata?.name}` }));

/** Calls `visit` for every object/scalar below the root, outside metadata, with a way to restore it. */
function forEachNode(node: any, pointer: string, visit: (parent: any, key: string | number, pointer: string) => void): void {
  const entries: [string | number, any][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
  for (const [key, value] of entries) {
    const childPointer = `${pointer}/${key}`;
    if (childPointer === '/metadata' || childPointer === '/apiVersion' || childPointer === '/kind') {
      continue;
    }
    visit(node, key, childPointer);
    if (value !== null && typeof value === 'object') {
      forEachNode(value, childPointer, visit);
    }
  }
}

describe('cross-check with the kubeconform CRD catalog (shared/crd-schemas)', () => {
  test('covers KServe, Flux, Spark and aad-pod-identity examples', () => {
    const kinds = new Set(covered.map(({ obj }) => obj.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['AzureIdentity', 'HelmRelease', 'InferenceService', 'Kustomization', 'OCIRepository', 'ScheduledSparkApplication', 'SparkApplication']));
  });

  test.each(covered)('$name: same verdict, same rejections of unknown fields and wrong types', ({ obj }) => {
    const theirs = catalogValidator(obj) as ValidateFunction;
    expect(oursAccepts(obj)).toBe(theirs(obj));
    const disagreements: string[] = [];
    const compare = (what: string) => {
      if (oursAccepts(obj) !== theirs(obj)) {
        disagreements.push(what);
      }
    };
    forEachNode(obj, '', (parent, key, pointer) => {
      const value = parent[key];
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        value.zzUnknownField = 'x';
        compare(`unknown field in ${pointer}`);
        delete value.zzUnknownField;
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        parent[key] = { wrong: 'type' };
        compare(`object instead of ${typeof value} at ${pointer}`);
        parent[key] = value;
      }
    });
    expect(disagreements).toEqual([]);
  });
});
