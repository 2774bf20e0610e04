/**
 * Makes a platform many times larger than the example, for the benchmark and for tests of large outputs:
 * `copies` environments with the example's clusters (each environment keeps its own identities, as real ones
 * do: Azure allows at most 20 federated credentials per identity), and `extraNamespaces` more namespaces in
 * the first cluster of the first environment, so that one layer grows past the per-folder limit and is split
 * (over `layerFolders.platform` hash folders, set here).
 */
import { PlatformConfig } from '../lib/config/schema';

export interface ScaleOptions {
  /** How many environments, each a copy of the example. */
  readonly copies: number;
  /** Namespaces added to the first cluster (each adds five baseline objects to its platform layer). */
  readonly extraNamespaces?: number;
}

/** The environments of the scaled platform, by environment name. */
export function scaleConfig(config: PlatformConfig, options: ScaleOptions): Map<string, PlatformConfig> {
  const environments = new Map<string, PlatformConfig>();
  for (let copy = 1; copy <= options.copies; copy++) {
    environments.set(`env-${String(copy).padStart(3, '0')}`, JSON.parse(JSON.stringify(config)));
  }
  const first = [...environments.values()][0];
  const [clusterName] = Object.keys(first?.clusters ?? {});
  if (clusterName && options.extraNamespaces) {
    const cluster = first.clusters[clusterName] as { namespaces: Record<string, object>; layerFolders?: Record<string, number> };
    for (let i = 1; i <= options.extraNamespaces; i++) cluster.namespaces[`team-${String(i).padStart(4, '0')}`] = {};
    // The platform layer spread over hash folders (an explicit choice, docs/output.md): a power of two giving each
    // folder about 300 of the new baseline objects at most.
    const folders = 2 ** Math.max(1, Math.ceil(Math.log2(options.extraNamespaces * 5 / 300)));
    cluster.layerFolders = { ...cluster.layerFolders, platform: folders };
  }
  return environments;
}
