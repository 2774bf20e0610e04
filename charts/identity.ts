import { IdentityMode, PodIdentityBinding } from '../lib/identity/pod-identity-binding';
import { ClusterContext } from '../lib/synth/cluster-context';

/** Which identity a composition needs, and for which ServiceAccount. */
export interface PodIdentityRequest {
  /** Namespace of the ServiceAccount and of the workloads that use it. */
  readonly namespace: string;
  /** Key of the identity under `identities` in the config. */
  readonly identityName: string;
  /**
   * Name of the ServiceAccount.
   * @default - the identity name
   */
  readonly serviceAccountName?: string;
  /**
   * Mount a Kubernetes API token (only for pods that call the Kubernetes API, such as a Spark driver).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
}

/** The Azure resource ID of a configured managed identity (what aad-pod-identity needs). */
export function identityResourceId(context: ClusterContext, identityName: string): string {
  const identity = context.platform.identities[identityName];
  const subscription = identity.subscriptionId ?? context.cluster.azure.subscriptionId;
  return `/subscriptions/${subscription}/resourcegroups/${identity.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.resourceName ?? identityName}`;
}

/**
 * The PodIdentityBinding of a configured identity for one ServiceAccount, in the platform layer, with the
 * client ID, tenant, cluster issuer and identity mode taken from the config. Asking twice for the same
 * namespace and ServiceAccount returns the same binding, so compositions can share it. Bind workloads with
 * `binding.bind(workload)`.
 */
export function podIdentityFor(context: ClusterContext, request: PodIdentityRequest): PodIdentityBinding {
  const identity = context.platform.identities[request.identityName];
  if (!identity) {
    const known = Object.keys(context.platform.identities).sort().join(', ');
    throw new Error(`identity '${request.identityName}' is not under 'identities' in the config of '${context.environment}' (known: ${known || 'none'})`);
  }
  const serviceAccountName = request.serviceAccountName ?? request.identityName;
  const id = `identity-${request.namespace}-${serviceAccountName}`;
  const scope = context.layers.platform;
  const existing = scope.node.tryFindChild(id);
  if (existing) {
    if (!PodIdentityBinding.isPodIdentityBinding(existing) || existing.identityName !== request.identityName) {
      throw new Error(`ServiceAccount '${serviceAccountName}' in namespace '${request.namespace}' is already bound to another identity; give one of them another 'serviceAccountName'`);
    }
    return existing;
  }
  const mode = (context.cluster.identityMode ?? IdentityMode.WORKLOAD_IDENTITY) as IdentityMode;
  const workloadIdentity = mode === IdentityMode.WORKLOAD_IDENTITY;
  return new PodIdentityBinding(scope, id, {
    namespace: request.namespace,
    identityName: request.identityName,
    serviceAccountName,
    clientId: identity.clientId,
    tenantId: context.platform.azure.tenantId,
    mode,
    oidcIssuerUrl: workloadIdentity ? context.cluster.azure.oidcIssuerUrl : undefined,
    federatedCredentialName: workloadIdentity ? `${context.clusterName}-${request.namespace}-${serviceAccountName}` : undefined,
    resourceId: workloadIdentity ? undefined : identityResourceId(context, request.identityName),
    automountServiceAccountToken: request.automountServiceAccountToken,
  });
}
