/**
 * Makes a config many times larger than the example, for the benchmark and for tests of large outputs:
 * every cluster is repeated `factor` times, and the first cluster gets `extraNamespaces` more namespaces so
 * that one layer grows past the per-folder limit and must be split.
 */
import { PlatformConfig } from '../lib/config/schema';

export interface ScaleOptions {
  /** How many copies of each cluster. */
  readonly factor: number;
  /** Namespaces added to the first cluster (each adds five baseline objects to its platform layer). */
  readonly extraNamespaces?: number;
}

export function scaleConfig(config: PlatformConfig, options: ScaleOptions): PlatformConfig {
  const clusters: Record<string, PlatformConfig['clusters'][string]> = {};
  const entries = Object.entries(config.clusters);
  for (let copy = 1; copy <= options.factor; copy++) {
    for (const [name, cluster] of entries) {
      clusters[options.factor === 1 ? name : `${name}-${String(copy).padStart(3, '0')}`] = JSON.parse(JSON.stringify(cluster));
    }
  }
  const [first] = Object.values(clusters);
  if (first && options.extraNamespaces) {
    const namespaces = { ...first.namespaces };
    for (let i = 1; i <= options.extraNamespaces; i++) namespaces[`team-${String(i).padStart(4, '0')}`] = {};
    (first as { namespaces: typeof namespaces }).namespaces = namespaces;
  }
  return { ...config, clusters };
}
