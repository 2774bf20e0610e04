/**
 * The removed `apiServerCidrs` config keys (`dataProcessing.network.apiServerCidrs`, `streaming.kafka.apiServerCidrs`):
 * the API server is reached by port (`apiServerEgressRule` in `network-policies.ts`). Kept apart from the policy
 * builders so that the config schema can use it without importing constructs.
 */

/** Description of the removed `apiServerCidrs` config keys (kept in the schema so the config rule can name them). */
export const REMOVED_API_SERVER_CIDRS_DESCRIPTION = 'REMOVED (a config error when set): the API server is now reached on ports 443 and 6443 to any address, like every operator namespace; delete this key';

/** The config error for a removed `apiServerCidrs` key. */
export function removedApiServerCidrsMessage(users: string): string {
  return `apiServerCidrs is no longer used: ${users} reach the API server on ports 443 and 6443 to any address, like every operator namespace, because on AKS the API server has no stable address range (it is published as a host name) and with Azure CNI powered by Cilium an ipBlock does not match traffic to it; delete this key`;
}

