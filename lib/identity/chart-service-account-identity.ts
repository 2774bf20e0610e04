import { Construct, IConstruct } from 'constructs';
import {
  FEDERATED_CREDENTIAL_AUDIENCE, FederatedCredential, WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION, WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION,
  WORKLOAD_IDENTITY_USE_LABEL,
} from './pod-identity-binding';

/** Properties for `ChartServiceAccountIdentity`. */
export interface ChartServiceAccountIdentityProps {
  /** Namespace of the ServiceAccount the chart creates. */
  readonly namespace: string;
  /** Name of the ServiceAccount the chart creates. */
  readonly serviceAccountName: string;
  /** Key of the identity under `identities` in the config. */
  readonly identityName: string;
  /** Client ID of the user-assigned managed identity (a GUID). */
  readonly clientId: string;
  /** Microsoft Entra tenant ID (a GUID). */
  readonly tenantId: string;
  /** OIDC issuer URL of the cluster (`az aks show --query oidcIssuerProfile.issuerUrl`). */
  readonly oidcIssuerUrl: string;
  /**
   * Name of the federated credential on the managed identity (unique per identity).
   * @default - `<namespace>-<serviceAccountName>`
   */
  readonly federatedCredentialName?: string;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CREDENTIAL_NAME = /^[a-zA-Z0-9][-_a-zA-Z0-9]{2,119}$/;
const IS_IDENTITY = Symbol.for('ml-platform-manifests.ChartServiceAccountIdentity');

/**
 * Azure Workload Identity for a ServiceAccount and pods that a Helm chart creates (so no ServiceAccount in dist/):
 * the values the chart needs, the ServiceAccount annotations (client and tenant ID) and the pod label
 * `azure.workload.identity/use: "true"` (azure-workload-identity v1.6.0 pkg/webhook/consts.go: the webhook mutates
 * only pods with that label and reads the client ID from the ServiceAccount annotation), and the federated credential
 * Azure needs (collected into `azure/federated-credentials.json` like a `PodIdentityBinding`'s). Emits no manifest.
 */
export class ChartServiceAccountIdentity extends Construct {
  /** True when `x` is a ChartServiceAccountIdentity (works across bundled copies of this module). */
  public static isChartServiceAccountIdentity(x: unknown): x is ChartServiceAccountIdentity {
    return x !== null && typeof x === 'object' && IS_IDENTITY in x;
  }

  /** Every ChartServiceAccountIdentity in the construct tree under `scope`, in tree order. */
  public static allIn(scope: IConstruct): ChartServiceAccountIdentity[] {
    return scope.node.findAll().filter(ChartServiceAccountIdentity.isChartServiceAccountIdentity);
  }

  /** Key of the identity under `identities` in the config. */
  public readonly identityName: string;
  /** Annotations the chart must put on its ServiceAccount. */
  public readonly serviceAccountAnnotations: { readonly [key: string]: string };
  /** Labels the chart must put on the pods that run as the ServiceAccount. */
  public readonly podLabels: { readonly [key: string]: string };
  /** The federated credential Azure needs. */
  public readonly federatedCredential: FederatedCredential;

  constructor(scope: Construct, id: string, props: ChartServiceAccountIdentityProps) {
    super(scope, id);
    Object.defineProperty(this, IS_IDENTITY, { value: true });
    const prefix = `ChartServiceAccountIdentity '${id}'`;
    for (const [prop, value] of [['clientId', props.clientId], ['tenantId', props.tenantId]] as const) {
      if (!GUID.test(value)) throw new Error(`${prefix}: '${prop}' ("${value}") is not a GUID; use the value Azure shows, such as 00000000-0000-0000-0000-000000000000`);
    }
    for (const [prop, value] of [['namespace', props.namespace], ['serviceAccountName', props.serviceAccountName]] as const) {
      if (!DNS_LABEL.test(value)) throw new Error(`${prefix}: '${prop}' ("${value}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (!/^https:\/\/\S+$/.test(props.oidcIssuerUrl)) {
      throw new Error(`${prefix}: 'oidcIssuerUrl' (${props.oidcIssuerUrl}) must be the cluster's https:// OIDC issuer URL; see az aks show --query oidcIssuerProfile.issuerUrl`);
    }
    const name = props.federatedCredentialName ?? `${props.namespace}-${props.serviceAccountName}`;
    if (!CREDENTIAL_NAME.test(name)) {
      throw new Error(`${prefix}: 'federatedCredentialName' ("${name}") must be 3 to 120 letters, digits, '-' or '_', starting with a letter or digit`);
    }
    this.identityName = props.identityName;
    this.serviceAccountAnnotations = {
      [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: props.clientId,
      [WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION]: props.tenantId,
    };
    this.podLabels = { [WORKLOAD_IDENTITY_USE_LABEL]: 'true' };
    this.federatedCredential = {
      name,
      identityName: props.identityName,
      clientId: props.clientId,
      issuer: props.oidcIssuerUrl,
      subject: `system:serviceaccount:${props.namespace}:${props.serviceAccountName}`,
      audience: FEDERATED_CREDENTIAL_AUDIENCE,
    };
  }
}
