/**
 * How a construct's objects are placed when its layer is split into folders (`clusters.<name>.layerFolders`,
 * `splitIntoFolders` in lib/synth/manifest-files.ts). Declared by the construct class, so it is part of the
 * workload's identity: it never changes with the workload's size or with the kinds of objects it holds today, and
 * so never moves the workload's objects to another folder (a move to a folder Flux applies later deletes them:
 * docs/output.md "Split layers and Flux prune").
 */
import { IConstruct } from 'constructs';

/**
 * - `service`: a long-running service other workloads use (HDFS, Kafka, NiFi, a Helm-installed application): its
 *   objects stay together in the services folders, applied before every other workload.
 * - `workload` (the default): its objects stay together in the workload folders.
 * - `spread`: each object is placed on its own (a collection that grows by the thousand, such as all routes of a
 *   gateway), in the workload folders.
 */
export type FolderPlacement = 'service' | 'workload' | 'spread';

const PLACEMENT = Symbol.for('ml-platform-manifests.FolderPlacement');

/** Declares the placement of `scope`'s objects; call it in the constructor of the construct class. */
export function declareFolderPlacement(scope: IConstruct, placement: FolderPlacement): void {
  Object.defineProperty(scope, PLACEMENT, { value: placement, configurable: true, enumerable: false });
}

/** The placement `scope` declared, if any. */
export function folderPlacementOf(scope: IConstruct): FolderPlacement | undefined {
  return (scope as unknown as { [PLACEMENT]?: FolderPlacement })[PLACEMENT];
}
