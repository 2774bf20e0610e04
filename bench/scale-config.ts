/**
 * Makes a platform many times larger than the example, for the benchmark and for tests of large outputs:
 * `copies` environments with the example's clusters (each environment keeps its own identities, as real ones
 * do: Azure allows at most 20 federated credentials per identity), and `extraNamespaces` more namespaces in
 * the first cluster of the first environment, so that one layer grows past the per-folder limit and is split.
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
    const cluster = first.clusters[clusterName] as { namespaces: Record<string, object> };
    for (let i = 1; i <= options.extraNamespaces; i++) cluster.namespaces[`team-${String(i).padStart(4, '0')}`] = {};
  }
  return environments;
}
