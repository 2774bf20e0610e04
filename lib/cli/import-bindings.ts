/**
 * `make import` (bindings half): regenerates the cdk8s bindings in `imports/` from CustomResourceDefinition
 * files, one TypeScript module per API group.
 *
 * `cdk8s import` writes one module per API group, but when a group's CRDs come from several files (Flux
 * sources, Gateway API) each file overwrites the previous module. So the CRDs are grouped by `spec.group`
 * first and each group is imported from one combined file in a temporary folder (removed afterwards).
 *
 * Usage: node build/cli/import-bindings.js [--crds DIR] [--out DIR]
 *   --crds  folder searched recursively for CRD YAML (default ../shared/crds; folders named legacy-* are skipped)
 *   --out   output folder (default imports)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

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

/** CRD documents of every file, grouped by API group, each group's documents in file order. */
export function crdsByGroup(files: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8')) as Crd[]) {
      if (doc?.kind !== 'CustomResourceDefinition') continue;
      const docs = groups.get(doc.spec.group) ?? [];
      docs.push(yaml.dump(doc, { noRefs: true, lineWidth: -1 }));
      groups.set(doc.spec.group, docs);
    }
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function main(argv: string[]): void {
  const crdDir = argument(argv, '--crds', path.join('..', 'shared', 'crds'));
  const outDir = argument(argv, '--out', 'imports');
  if (!fs.existsSync(crdDir)) throw new Error(`CRD folder '${crdDir}' does not exist; pass --crds DIR`);
  const cdk8s = path.resolve('node_modules', '.bin', 'cdk8s');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
  try {
    for (const [group, docs] of crdsByGroup(yamlFiles(crdDir))) {
      const combined = path.join(work, `${group}.yaml`);
      fs.writeFileSync(combined, docs.join('---\n'));
      execFileSync(cdk8s, ['import', '--no-save', '--language', 'typescript', '--output', path.resolve(outDir), combined], {
        cwd: work, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      });
      console.log(`imported ${group} (${docs.length} CRD${docs.length === 1 ? '' : 's'})`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`import failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
