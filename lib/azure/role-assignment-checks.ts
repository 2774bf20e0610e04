/**
 * Preflight check of the storage role assignments the platform's identities need (lib/models/role-assignments.ts):
 * for each assignment a cluster's workloads need, reads the managed identity's principal ID and the principal's
 * role assignments at the container scope, and reports the missing ones with the `az` command that creates them.
 * When the caller cannot read them (403, 404), the check is skipped with the reason, never failed.
 *
 * ARM APIs: Microsoft.ManagedIdentity userAssignedIdentities GET (api-version 2023-01-31, `properties.principalId`);
 * Microsoft.Authorization roleAssignments list for a scope with `$filter=principalId eq '<id>'` (api-version
 * 2022-04-01), which returns the principal's assignments at, above and below the scope; only those at or above it
 * (their `properties.scope` a prefix of it) grant access there.
 */
import { createDefaultHttpClient, createPipelineRequest, Pipeline } from '@azure/core-rest-pipeline';
import { PlatformConfig } from '../config/schema';
import { DNS_ZONE_CONTRIBUTOR, RoleAssignment, roleAssignmentCommands, STORAGE_ROLES } from '../models/role-assignments';
import { CheckResult } from './check-result';

/** GETs an ARM path (with its query) and returns the JSON body; throws an Error carrying `statusCode` otherwise. */
export type ArmGet = (pathAndQuery: string) => Promise<unknown>;

/** Built-in roles that include each storage role's data actions (Storage Blob Data Owner: b7e6dc6d-f1e8-4753-8033-0f276bb0955b). */
const SATISFIED_BY: Readonly<Record<string, readonly string[]>> = {
  [STORAGE_ROLES.reader.id]: [STORAGE_ROLES.reader.id, STORAGE_ROLES.contributor.id, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'],
  [STORAGE_ROLES.contributor.id]: [STORAGE_ROLES.contributor.id, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'],
  [DNS_ZONE_CONTRIBUTOR.id]: [DNS_ZONE_CONTRIBUTOR.id],
};

/** An ArmGet through an SDK client's pipeline (its credential, retries and policies) at the ARM endpoint. */
export function armGetVia(client: { readonly pipeline: Pipeline }, endpointUrl: string): ArmGet {
  const httpClient = createDefaultHttpClient();
  return async (pathAndQuery) => {
    const request = createPipelineRequest({ url: `${endpointUrl.replace(/\/+$/, '')}${pathAndQuery}`, method: 'GET', allowInsecureConnection: endpointUrl.startsWith('http://') });
    const response = await client.pipeline.sendRequest(httpClient, request);
    let body: unknown;
    try {
      body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
    } catch {
      body = undefined;
    }
    if (response.status !== 200) {
      const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
      throw Object.assign(new Error(`HTTP ${response.status}${code ? ` ${code}` : ''}`), { statusCode: response.status });
    }
    return body;
  };
}

/** Where a managed identity lives: its own subscription, or the one of the clusters that use it. */
function identityPath(config: PlatformConfig, assignment: RoleAssignment): string {
  const identity = config.identities[assignment.identity];
  const subscription = identity.subscriptionId ?? config.clusters[assignment.clusters[0]].azure.subscriptionId;
  return `/subscriptions/${subscription}/resourceGroups/${identity.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.resourceName ?? assignment.identity}`;
}

const lower = (text: string) => text.toLowerCase();

/** The role-assignment checks of one cluster's needs. */
export async function checkRoleAssignments(config: PlatformConfig, assignments: readonly RoleAssignment[], get: ArmGet): Promise<CheckResult[]> {
  const principals = new Map<string, Promise<string>>();
  const results: CheckResult[] = [];
  for (const assignment of assignments) {
    const subject = `identity ${assignment.identity}`;
    const target = assignment.scope.split('/').slice(-1)[0];
    const expected = `${assignment.role} on ${/\/dnsZones\//i.test(assignment.scope) ? 'DNS zone' : 'container'} ${target}`;
    const [, command] = roleAssignmentCommands({ environment: '', roleAssignments: [assignment] });
    try {
      const path = identityPath(config, assignment);
      if (!principals.has(path)) {
        principals.set(path, get(`${path}?api-version=2023-01-31`).then((body) => {
          const id = (body as { properties?: { principalId?: string } }).properties?.principalId;
          if (!id) throw Object.assign(new Error('the identity has no principalId'), { statusCode: 404 });
          return id;
        }));
      }
      const principalId = await principals.get(path)!;
      const filter = encodeURIComponent(`principalId eq '${principalId}'`);
      const body = await get(`${assignment.scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${filter}`) as {
        value?: { properties?: { roleDefinitionId?: string; scope?: string } }[];
      };
      const granting = (body.value ?? []).filter((item) => {
        const role = item.properties?.roleDefinitionId?.split('/').slice(-1)[0] ?? '';
        const scope = item.properties?.scope ?? '';
        return SATISFIED_BY[assignment.roleDefinitionId].includes(role) && (lower(assignment.scope) === lower(scope) || lower(assignment.scope).startsWith(`${lower(scope).replace(/\/+$/, '')}/`));
      });
      results.push(granting.length > 0
        ? { check: 'role-assignment', subject, status: 'pass', actual: 'assigned', expected }
        : { check: 'role-assignment', subject, status: 'fail', actual: 'missing', expected, fix: command });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 403 || status === 404) {
        results.push({ check: 'role-assignment', subject, status: 'skip', actual: `cannot read (${(error as Error).message})`, expected, fix: `grant Reader on the identity and the ${/\/dnsZones\//i.test(assignment.scope) ? 'DNS zone' : 'storage account'} to the caller, or review npm run role-assignments` });
      } else {
        throw error;
      }
    }
  }
  return results;
}
