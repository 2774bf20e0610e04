import { roleAssignmentsDocument } from '../lib/models/role-assignments';
import { EnvironmentArtifacts } from '../lib/synth/cluster-context';

/** Path of the role-assignment list under `dist/<environment>/` (outside every Flux-synced folder). */
export const ROLE_ASSIGNMENTS_FILE = 'azure/role-assignments.json';

/**
 * `azure/role-assignments.json`: the storage roles every identity needs (see lib/models/role-assignments.ts),
 * for the IaC step or `npm run role-assignments`.
 */
export const roleAssignmentsArtifact: EnvironmentArtifacts = (environment, clusters) => {
  if (clusters.length === 0) return new Map();
  const document = roleAssignmentsDocument(environment, clusters[0].context.platform);
  if (document.roleAssignments.length === 0) return new Map();
  return new Map([[ROLE_ASSIGNMENTS_FILE, JSON.stringify(document, null, 2) + '\n']]);
};
