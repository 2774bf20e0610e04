/**
 * `make import` (bindings half): regenerates the cdk8s bindings in `imports/` from CustomResourceDefinition
 * files, one TypeScript module per API group.
 *
 * `cdk8s import` writes one module per API group, but when a group's CRDs come from several files (Flux
 * sources, Gateway API) each file overwrites the previous module. So the CRDs are grouped by `spec.group`
 * first and each group is imported from one combined file in a temporary folder (removed afterwards).
 *
 * Usage: node build/cli/import-bindings.js [--crds DIR] [--extra-crds DIR[,DIR...]] [--out DIR]
 *   --crds        folder searched recursively for CRD YAML (default ../shared/crds; folders named legacy-* are skipped)
 *   --extra-crds  more CRD folders (default: the EXTRA_CRD_FOLDERS of ../shared, i.e. Strimzi 1.2.0)
 *   --out         output folder (default imports)
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { compareText } from '../core/sort';
import { EXTRA_CRD_FOLDERS } from '../validation/importer/import-schemas';
import { runMain } from '../core/cli-main';

/** Upstream releases the CRD folders of ../shared/crds were taken from (see its SOURCES.md). */
const PINNED_RELEASES: Record<string, string> = {
  'aad-pod-identity': 'Azure/aad-pod-identity v1.8.17 (archived)',
  'flux': 'Flux v2.9.4 (source-controller v1.9.x, kustomize-controller v1.9.4, helm-controller v1.6.3)',
  'gateway-api': 'kubernetes-sigs/gateway-api v1.4.1',
  'kserve': 'kserve/kserve v0.20.0',
  'kubeflow-training': 'kubeflow/training-operator v1.9.4',
  'spark-operator': 'kubeflow/spark-operator v2.5.2',
  'strimzi-1.2.0': 'strimzi/strimzi-kafka-operator 1.2.0 (chart crds/)',
};

interface Crd {
  readonly kind: string;
  readonly spec: { readonly group: string; readonly names: { readonly kind: string }; readonly versions: { readonly name: string }[] };
}

function argument(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(name);
  return index >= 0 && argv[index + 1] ? argv[index + 1] : fallback;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('legacy-') ? [] : yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  }).sort();
}

/** One CRD read from a file. */
interface CrdSource {
  readonly file: string;
  readonly sha256: string;
  readonly crd: Crd;
}

/** CRDs of every file, grouped by API group, each group's CRDs in file order. */
export function crdsByGroup(files: readonly string[]): Map<string, CrdSource[]> {
  const groups = new Map<string, CrdSource[]>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const sha256 = createHash('sha256').update(text).digest('hex').slice(0, 16);
    for (const crd of yaml.loadAll(text) as Crd[]) {
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      groups.set(crd.spec.group, [...(groups.get(crd.spec.group) ?? []), { file, sha256, crd }]);
    }
  }
  return new Map([...groups.entries()].sort(([a], [b]) => compareText(a, b)));
}

/** `imports/README.md`: what each module was generated from, so a version bump shows up in review. */
function readme(crdDirs: readonly string[], groups: Map<string, CrdSource[]>): string {
  const rows = [...groups.entries()].flatMap(([group, sources]) => sources.map(({ file, sha256, crd }) => {
    // Files of ../shared/crds are named relative to it; files of an extra folder start with that folder's name.
    const crdDir = crdDirs.find((dir) => !path.relative(dir, file).startsWith('..')) ?? crdDirs[0];
    const relative = crdDir === crdDirs[0] ? path.relative(crdDir, file) : path.join(path.basename(crdDir), path.relative(crdDir, file));
    const folder = relative.split(path.sep)[0];
    const versions = crd.spec.versions.map((v) => v.name).join(', ');
    return `| \`${group}.ts\` | ${crd.spec.names.kind} | ${versions} | ${PINNED_RELEASES[folder] ?? 'unknown release'} | \`${relative.split(path.sep).join('/')}\` | \`${sha256}\` |`;
  }));
  return [
    '# Generated CRD bindings (do not edit)',
    '',
    'Every `.ts` file here is written by `make import` (`lib/cli/import-bindings.ts`, which runs `cdk8s import` once per',
    'API group) from the CustomResourceDefinitions in `../shared/crds` (or `make import CRDS=<folder>`) and the extra folders',
    `${EXTRA_CRD_FOLDERS.map((folder) => `\`../shared/${folder}\``).join(', ')} (\`EXTRA_CRDS=<folders>\`); \`schemas/\` holds`,
    'the strict validation schemas (see `schemas/README.md`). CI fails when a fresh `make import` changes this folder.',
    '',
    'To bump an operator: replace its CRD files in the CRD folder with the new release, run `make import`, then',
    '`make test` and review the diff of the bindings, the schemas and the snapshots.',
    '',
    'In a multi-version CRD the first listed version gets the plain class name; later ones get a suffix (`...V1Beta1`).',
    '',
    '| module | kind | versions | upstream release | source file | source sha256 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function main(argv: string[]): void {
  const crdDir = argument(argv, '--crds', path.join('..', 'shared', 'crds'));
  const extraDirs = argument(argv, '--extra-crds', EXTRA_CRD_FOLDERS.map((folder) => path.join('..', 'shared', folder)).join(',')).split(',');
  const outDir = argument(argv, '--out', 'imports');
  for (const dir of [crdDir, ...extraDirs]) {
    if (!fs.existsSync(dir)) throw new Error(`CRD folder '${dir}' does not exist; pass --crds DIR and --extra-crds DIR[,DIR...]`);
  }
  const cdk8s = path.resolve('node_modules', '.bin', 'cdk8s');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
  try {
    const groups = crdsByGroup([crdDir, ...extraDirs].flatMap((dir) => yamlFiles(dir)));
    for (const [group, sources] of groups) {
      const combined = path.join(work, `${group}.yaml`);
      fs.writeFileSync(combined, sources.map(({ crd }) => yaml.dump(crd, { noRefs: true, lineWidth: -1 })).join('---\n'));
      execFileSync(cdk8s, ['import', '--no-save', '--language', 'typescript', '--output', path.resolve(outDir), combined], {
        cwd: work, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      });
      console.log(`imported ${group} (${sources.length} CRD${sources.length === 1 ? '' : 's'})`);
    }
    fs.writeFileSync(path.join(outDir, 'README.md'), readme([crdDir, ...extraDirs], groups));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runMain('import-bindings', () => {
    main(process.argv.slice(2));
    return 0;
  });
}
