/** Shared test helpers: the example config, and synthesized clusters as plain manifests. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { buildClusterApp, ClusterContext, LAYER_ORDER } from '../charts';
import { ConfigError, ConfigIssue } from '../lib/config/issues';
import { Environment, loadEnvironment } from '../lib/config/load';
import { PlatformConfig } from '../lib/config/schema';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const EXAMPLE_CONFIG = path.join(REPO_ROOT, 'config', 'example.yaml');

/** A Kubernetes manifest as plain JSON. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

let example: Environment | undefined;

/** The validated example environment (loaded once per test file). */
export function exampleEnvironment(): Environment {
  example ??= loadEnvironment(EXAMPLE_CONFIG);
  return example;
}

/** A deep copy of the example config, to modify in a test. */
export function exampleConfig(): PlatformConfig {
  return JSON.parse(JSON.stringify(exampleEnvironment().config));
}

/** Every manifest of one cluster, per layer, as cdk8s would synthesize them. */
export function synthClusterLayers(clusterName: string, config: PlatformConfig = exampleEnvironment().config, environment = 'example'): Record<string, Manifest[]> {
  const { context } = buildClusterApp(environment, config, clusterName);
  return Object.fromEntries(LAYER_ORDER.map((layer) => [layer, Testing.synth(context.layers[layer]) as Manifest[]]));
}

/** Every manifest of one cluster, all layers together. */
export function synthCluster(clusterName: string, config?: PlatformConfig, environment?: string): Manifest[] {
  return Object.values(synthClusterLayers(clusterName, config, environment)).flat();
}

/** The context of a cluster of the example config (for building constructs directly). */
export function exampleClusterContext(clusterName: string): ClusterContext {
  return buildClusterApp('example', exampleConfig(), clusterName).context;
}

/** Finds one manifest by kind and name (and namespace), failing clearly when it is missing. */
export function findManifest(manifests: readonly Manifest[], kind: string, name: string, namespace?: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} '${name}'${namespace ? ` in namespace '${namespace}'` : ''} among: ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

/**
 * Loads the example config with `edit` applied to its text (so lines stay meaningful) and returns the problems
 * the loader reports; an empty list when the edited config is valid. Fails when the edit changes nothing.
 */
export function exampleConfigIssues(edit: (text: string) => string): ConfigIssue[] {
  const text = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
  const edited = edit(text);
  if (edited === text) throw new Error('the edit changed nothing: the test would not test anything');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edited-config-'));
  try {
    const file = path.join(dir, 'test.yaml');
    fs.writeFileSync(file, edited);
    loadEnvironment(file);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
