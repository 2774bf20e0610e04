/**
 * `npm run role-assignments -- [--dist DIR] [environment...]`: prints the `az role assignment create` commands
 * for dist/<environment>/azure/role-assignments.json (written by `make synth`), so the storage roles of the
 * platform's identities (and, for aad-pod-identity clusters, the MIC roles of the kubelet identity, resolved with
 * `az aks show` at run time) can be created or reviewed. Exit status: 0 printed, 1 missing or unreadable list, 2 usage.
 */
import { RoleAssignmentsDocument, roleAssignmentCommands } from '../models/role-assignments';
import { runArtifactCli } from './environment-artifact-cli';

function parseDocument(json: unknown): RoleAssignmentsDocument {
  const document = json as Partial<RoleAssignmentsDocument> | null;
  if (!document || typeof document !== 'object' || !Array.isArray(document.roleAssignments)) throw new Error('not a role-assignment list (no roleAssignments array)');
  for (const [i, a] of document.roleAssignments.entries()) {
    for (const key of ['identity', 'clientId', 'roleDefinitionId', 'scope', 'role'] as const) {
      if (typeof a?.[key] !== 'string') throw new Error(`roleAssignments[${i}].${key} is missing or not a string`);
    }
    if (!Array.isArray(a.reasons)) throw new Error(`roleAssignments[${i}].reasons is missing or not a list`);
  }
  if (document.kubeletRoleAssignments !== undefined && !Array.isArray(document.kubeletRoleAssignments)) throw new Error('kubeletRoleAssignments is not a list');
  for (const [i, a] of (document.kubeletRoleAssignments ?? []).entries()) {
    for (const key of ['cluster', 'assignee', 'assigneeQuery', 'roleDefinitionId', 'scope', 'role'] as const) {
      if (typeof a?.[key] !== 'string') throw new Error(`kubeletRoleAssignments[${i}].${key} is missing or not a string`);
    }
    if (!Array.isArray(a.reasons)) throw new Error(`kubeletRoleAssignments[${i}].reasons is missing or not a list`);
  }
  return document as RoleAssignmentsDocument;
}

process.exitCode = runArtifactCli({
  name: 'role-assignments',
  file: 'azure/role-assignments.json',
  whenMissing: 'no identity in this environment needs a storage role',
  parse: parseDocument,
  header: (environment, document, file) => `# ${environment}: ${document.roleAssignments.length + (document.kubeletRoleAssignments?.length ?? 0)} role assignment(s) from ${file}`,
  commands: roleAssignmentCommands,
}, process.argv.slice(2));
