/**
 * Rules that JSON Schema cannot express (cross-references, orderings, conditional requirements).
 * Each rule returns every violation it finds, with the config path to point at. This module only defines
 * what a rule is; each domain folder owns its rules (`lib/<domain>/config-rules.ts`) and
 * `platform-rules.ts` lists them all.
 */
import { ClusterConfig, PlatformConfig } from './schema';
import { ConfigPath } from './yaml-positions';

/** A violation found by a rule, before the file and line are attached. */
export interface RuleViolation {
  readonly path: ConfigPath;
  readonly message: string;
}

/** A semantic rule over a schema-valid config. */
export type ConfigRule = (config: PlatformConfig) => RuleViolation[];

/** Runs `check` for every cluster, with the cluster's path prefix. */
export function perCluster(check: (cluster: ClusterConfig, path: ConfigPath, config: PlatformConfig) => RuleViolation[]): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) => check(cluster, ['clusters', name], config));
}
