import * as fs from 'fs';
import * as path from 'path';
import { isJsonObject } from './json';
import { InstalledCrdSets } from './schema-registry';

/**
 * Name of the file synth writes into each cluster folder (`dist/<env>/<cluster>/installed-versions.json`,
 * outside every folder Flux applies): which version of each operator the cluster installs and which CRD
 * schema set that version maps to. `npm run validate` finds it by walking up from each manifest.
 */
export const INSTALLED_VERSIONS_FILE = 'installed-versions.json';

/** One operator of a cluster as the installed-versions file records it. */
export interface InstalledOperatorRecord {
  /** What the config pins (chart and version, Git tag, or KServe version). */
  readonly pinned: string;
  /** `<set>@<version>` of the CRD schemas its installed version ships, if it installs CRDs. */
  readonly crdSchemas?: string;
}

/** Content of the installed-versions file. */
export interface InstalledVersionsFile {
  readonly environment: string;
  readonly cluster: string;
  /** Operator (lib/gitops Operator value) to what is installed. */
  readonly operators: Readonly<Record<string, InstalledOperatorRecord>>;
}

/** The CRD set versions of a file: set name to version. */
export function crdSetsOf(file: InstalledVersionsFile): InstalledCrdSets {
  const sets: Record<string, string> = {};
  for (const record of Object.values(file.operators)) {
    if (record.crdSchemas) {
      const [name, version] = record.crdSchemas.split('@');
      sets[name] = version;
    }
  }
  return sets;
}

/**
 * Finds the installed-versions file that applies to a manifest file (the nearest one in its folder or a
 * parent folder), cached per folder. Undefined when there is none (a manifest outside a cluster folder).
 */
export class InstalledVersionsLookup {
  private readonly byDir = new Map<string, InstalledCrdSets | undefined>();

  forSource(source: string): InstalledCrdSets | undefined {
    return this.forDir(path.dirname(path.resolve(source)));
  }

  private forDir(dir: string): InstalledCrdSets | undefined {
    if (this.byDir.has(dir)) return this.byDir.get(dir);
    const candidate = path.join(dir, INSTALLED_VERSIONS_FILE);
    let found: InstalledCrdSets | undefined;
    if (fs.existsSync(candidate)) {
      const parsed: unknown = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      if (!isJsonObject(parsed) || !isJsonObject(parsed.operators)) {
        throw new Error(`${candidate}: not an installed-versions file (no "operators" object)`);
      }
      found = crdSetsOf(parsed as unknown as InstalledVersionsFile);
    } else {
      const parent = path.dirname(dir);
      found = parent === dir ? undefined : this.forDir(parent);
    }
    this.byDir.set(dir, found);
    return found;
  }
}
