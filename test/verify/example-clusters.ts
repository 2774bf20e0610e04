/**
 * The example's clusters as the verifier gets them from synth (rendered once per test file, on import), and the
 * edits the mutation tests make to a copy: find an object, remove it, move it to another folder.
 */
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { ManifestJson } from '../../lib/synth/cluster-context';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { VerifiedCluster, VerifyFault, VerifyRule } from '../../lib/verify';
import { exampleEnvironment } from '../util';

const rendered = renderEnvironments([exampleEnvironment()], PLATFORM_COMPOSITIONS, undefined, true).verified;

type Mutable = { folder: string; manifests: ManifestJson[] };

/** A deep copy of a rendered example cluster, to break in a test. */
export function exampleCluster(name: string): VerifiedCluster {
  const found = rendered.find((c) => c.facts.cluster === name);
  if (!found) throw new Error(`no cluster ${name}`);
  return JSON.parse(JSON.stringify(found)) as VerifiedCluster;
}

/** The object (kind, namespace, name) in a cluster copy, to edit in place. */
export function clusterObject(c: VerifiedCluster, kind: string, namespace: string | undefined, name: string): any {
  for (const folder of c.folders) {
    const found = folder.manifests.find((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace);
    if (found) return found;
  }
  throw new Error(`no ${kind} ${namespace}/${name}`);
}

/** Removes the object from the cluster copy. */
export function removeObject(c: VerifiedCluster, kind: string, namespace: string | undefined, name: string): void {
  const obj = clusterObject(c, kind, namespace, name);
  for (const folder of c.folders as unknown as Mutable[]) folder.manifests = folder.manifests.filter((m) => m !== obj);
}

/** Moves an object to the folder named `to` (created at the end when missing, like a layer split). */
export function moveObject(c: VerifiedCluster, kind: string, namespace: string | undefined, name: string, to: string): void {
  const obj = clusterObject(c, kind, namespace, name);
  removeObject(c, kind, namespace, name);
  let target = (c.folders as unknown as Mutable[]).find((f) => f.folder === to);
  if (!target) {
    target = { folder: to, manifests: [] };
    (c.folders as unknown as Mutable[]).push(target);
  }
  target.manifests.push(obj);
}

/** Faults of one rule on the object (`Kind/namespace/name`, as faults name it). */
export function faultsOn(rule: VerifyRule, c: VerifiedCluster, objectRef: string): VerifyFault[] {
  return rule(c).filter((f) => f.object === objectRef);
}
