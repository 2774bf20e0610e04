import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as aad from '../../imports/aadpodidentity.k8s.io';
import * as k8s from '../core/k8s';
import { addAtPath, getPath, POD_TEMPLATE_KINDS, podTemplateLocations } from '../core/pod-templates';

/** How pods get the Azure identity. */
export enum IdentityMode {
  /** Azure Workload Identity: an annotated ServiceAccount, a pod label and a federated credential in Azure. The default. */
  WORKLOAD_IDENTITY = 'workload-identity',
  /**
   * aad-pod-identity: `AzureIdentity` + `AzureIdentityBinding` and the `aadpodidbinding` pod label.
   * @deprecated aad-pod-identity was deprecated on 2022-10-24 and archived in 2023; use only while migrating.
   */
  AAD_POD_IDENTITY = 'aad-pod-identity',
}

/** Workload Identity keys, as the azure-workload-identity webhook reads them. */
export const WORKLOAD_IDENTITY_USE_LABEL = 'azure.workload.identity/use';
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
export const WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';
/** The audience Microsoft Entra expects in tokens exchanged for a managed identity. */
export const FEDERATED_CREDENTIAL_AUDIENCE = 'api://AzureADTokenExchange';
/** The pod label aad-pod-identity matches against `AzureIdentityBinding.spec.selector`. */
export const AAD_POD_IDENTITY_LABEL = 'aadpodidbinding';

/** A federated identity credential Azure needs so a ServiceAccount can act as the managed identity. */
/**
 * The objects aad-pod-identity needs for one identity in one namespace, created once per scope: the AzureIdentity,
 * the AzureIdentityBinding (selector = identity name) and a NetworkPolicy that lets the identity's pods reach the
 * token endpoint through NMI. Pods ask IMDS (169.254.169.254:80); NMI (hostNetwork) DNATs that in the nat PREROUTING
 * chain to itself on 127.0.0.1:2579 (Azure/aad-pod-identity v1.8.17 pkg/nmi/iptables/iptables.go, cmd/nmi/main.go),
 * and the upstream troubleshooting guide ("Token requests calls fail with i/o timeout") asks for a policy allowing
 * 127.0.0.1:2579. Engines that filter before the DNAT see 169.254.169.254:80, so both are allowed; the namespace's
 * default deny would drop the token request otherwise.
 */
export class AadPodIdentityObjects extends Construct {
  /** The shared objects of `identityName` in `namespace` under `scope` (created on first use). */
  static of(scope: Construct, namespace: string, identityName: string, clientId: string, resourceId: string): AadPodIdentityObjects {
    const id = `aad-pod-identity-${namespace}-${identityName}`;
    const existing = scope.node.tryFindChild(id);
    return existing instanceof AadPodIdentityObjects ? existing : new AadPodIdentityObjects(scope, id, namespace, identityName, clientId, resourceId);
  }

  /** The `aadpodidbinding` label value of the identity's pods. */
  public readonly selector: string;
  public readonly azureIdentity: aad.AzureIdentity;
  public readonly azureIdentityBinding: aad.AzureIdentityBinding;
  public readonly nmiEgress: k8s.KubeNetworkPolicy;

  private constructor(scope: Construct, id: string, namespace: string, identityName: string, clientId: string, resourceId: string) {
    super(scope, id);
    this.selector = identityName;
    this.azureIdentity = new aad.AzureIdentity(this, 'azure-identity', {
      metadata: { name: identityName, namespace },
      spec: { type: 0, resourceId, clientId },
    });
    this.azureIdentityBinding = new aad.AzureIdentityBinding(this, 'azure-identity-binding', {
      metadata: { name: `${identityName}-binding`, namespace },
      spec: { azureIdentity: identityName, selector: this.selector },
    });
    const tcp = (port: number) => [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }];
    this.nmiEgress = new k8s.KubeNetworkPolicy(this, 'nmi-egress', {
      metadata: { name: `${identityName}-aad-pod-identity-token`, namespace },
      spec: {
        podSelector: { matchLabels: { [AAD_POD_IDENTITY_LABEL]: this.selector } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: `${IMDS_ADDRESS}/32` } }], ports: tcp(80) },
          { to: [{ ipBlock: { cidr: '127.0.0.1/32' } }], ports: tcp(NMI_PORT) },
        ],
      },
    });
  }
}

/** The instance metadata endpoint that pods ask for tokens (intercepted by NMI in aad-pod-identity mode). */
export const IMDS_ADDRESS = '169.254.169.254';
/** The port NMI listens on, on the node's loopback (aad-pod-identity v1.8.17 `--nmi-port` default). */
export const NMI_PORT = 2579;

export interface FederatedCredential {
  /** Name of the credential on the managed identity (unique per identity). */
  readonly name: string;
  /** Key of the identity under `identities` in the config. */
  readonly identityName: string;
  /** Client ID of the managed identity. */
  readonly clientId: string;
  /** OIDC issuer URL of the cluster. */
  readonly issuer: string;
  /** `system:serviceaccount:<namespace>:<serviceAccount>`. */
  readonly subject: string;
  /** Token audience (`api://AzureADTokenExchange`). */
  readonly audience: string;
}

/** Properties for `PodIdentityBinding`. */
export interface PodIdentityBindingProps {
  /** Namespace of the ServiceAccount (and of every workload bound to it). */
  readonly namespace: string;
  /** Key of the identity under `identities` in the config. */
  readonly identityName: string;
  /** Client ID of the user-assigned managed identity (a GUID). */
  readonly clientId: string;
  /** Microsoft Entra tenant ID (a GUID). */
  readonly tenantId: string;
  /**
   * Name of the ServiceAccount the bound pods run as.
   * @default - the identity name
   */
  readonly serviceAccountName?: string;
  /**
   * How pods get the identity.
   * @default IdentityMode.WORKLOAD_IDENTITY
   */
  readonly mode?: IdentityMode;
  /**
   * OIDC issuer URL of the cluster (`az aks show --query oidcIssuerProfile.issuerUrl`), for the federated
   * credential. Required with Workload Identity.
   * @default - none (ignored with IdentityMode.AAD_POD_IDENTITY)
   */
  readonly oidcIssuerUrl?: string;
  /**
   * Name of the federated credential on the managed identity (unique per identity; include the cluster name
   * when several clusters share an identity).
   * @default - `<namespace>-<serviceAccountName>`
   */
  readonly federatedCredentialName?: string;
  /**
   * Azure resource ID of the managed identity. Required with aad-pod-identity.
   * @default - none (ignored with IdentityMode.WORKLOAD_IDENTITY)
   */
  readonly resourceId?: string;
  /**
   * Mount a Kubernetes API token into the pods through the ServiceAccount. Workload Identity projects its
   * own token, so only pods that call the Kubernetes API (such as a Spark driver) need this.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CREDENTIAL_NAME = /^[a-zA-Z0-9][-_a-zA-Z0-9]{2,119}$/;
const RESOURCE_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourcegroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i;
const IS_BINDING = Symbol.for('ml-platform-manifests.PodIdentityBinding');

/**
 * Gives pods an Azure managed identity without secrets.
 *
 * With Workload Identity (the default) it creates a ServiceAccount annotated with the identity's client and
 * tenant IDs and describes the federated credential Azure needs (see `federatedCredential`); with the legacy
 * aad-pod-identity mode it creates a plain ServiceAccount plus `AzureIdentity` and `AzureIdentityBinding`.
 * `bind()` makes a workload's pods run as the ServiceAccount and carry the labels the identity needs.
 */
export class PodIdentityBinding extends Construct {
  /** True when `x` is a PodIdentityBinding (works across bundled copies of this module). */
  public static isPodIdentityBinding(x: unknown): x is PodIdentityBinding {
    return x !== null && typeof x === 'object' && IS_BINDING in x;
  }

  /** Every PodIdentityBinding in the construct tree under `scope`, in tree order. */
  public static allIn(scope: IConstruct): PodIdentityBinding[] {
    return scope.node.findAll().filter(PodIdentityBinding.isPodIdentityBinding);
  }

  /** The ServiceAccount (the default child). */
  public readonly resource: k8s.KubeServiceAccount;
  /** Name of the ServiceAccount bound pods run as. */
  public readonly serviceAccountName: string;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: string;
  /** Key of the identity under `identities` in the config. */
  public readonly identityName: string;
  /** How pods get the identity. */
  public readonly mode: IdentityMode;
  /** Client ID of the managed identity. */
  public readonly clientId: string;
  /** Labels every bound pod must carry. */
  public readonly podLabels: { readonly [key: string]: string };
  /** The federated credential Azure needs (Workload Identity only). */
  public readonly federatedCredential?: FederatedCredential;
  /** The AzureIdentity (aad-pod-identity only). */
  public readonly azureIdentity?: aad.AzureIdentity;
  /** The AzureIdentityBinding (aad-pod-identity only). */
  public readonly azureIdentityBinding?: aad.AzureIdentityBinding;

  constructor(scope: Construct, id: string, props: PodIdentityBindingProps) {
    super(scope, id);
    Object.defineProperty(this, IS_BINDING, { value: true });
    this.namespace = props.namespace;
    this.identityName = props.identityName;
    this.serviceAccountName = props.serviceAccountName ?? props.identityName;
    this.mode = props.mode ?? IdentityMode.WORKLOAD_IDENTITY;
    this.clientId = props.clientId;
    this.validateProps(id, props);

    const workloadIdentity = this.mode === IdentityMode.WORKLOAD_IDENTITY;
    this.resource = new k8s.KubeServiceAccount(this, 'Resource', {
      metadata: {
        name: this.serviceAccountName,
        namespace: this.namespace,
        annotations: workloadIdentity ? {
          [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: props.clientId,
          [WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION]: props.tenantId,
        } : undefined,
      },
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    });

    if (workloadIdentity) {
      this.podLabels = { [WORKLOAD_IDENTITY_USE_LABEL]: 'true' };
      this.federatedCredential = {
        name: props.federatedCredentialName ?? `${this.namespace}-${this.serviceAccountName}`,
        identityName: props.identityName,
        clientId: props.clientId,
        issuer: props.oidcIssuerUrl!,
        subject: `system:serviceaccount:${this.namespace}:${this.serviceAccountName}`,
        audience: FEDERATED_CREDENTIAL_AUDIENCE,
      };
    } else {
      // One AzureIdentity, one AzureIdentityBinding and one label per identity and namespace, shared by every
      // ServiceAccount bound to that identity there: several bindings with one selector would assign the pod several
      // identities (aad-pod-identity v1.8.17 docs, "AzureIdentityBinding"), and a selector no pod carries does nothing.
      const shared = AadPodIdentityObjects.of(scope, this.namespace, props.identityName, props.clientId, props.resourceId!);
      this.podLabels = { [AAD_POD_IDENTITY_LABEL]: shared.selector };
      this.azureIdentity = shared.azureIdentity;
      this.azureIdentityBinding = shared.azureIdentityBinding;
      this.nmiEgress = shared.nmiEgress;
    }
  }

  /**
   * Egress of the identity's pods to the token endpoint (aad-pod-identity only): see {@link AadPodIdentityObjects}.
   */
  public readonly nmiEgress?: k8s.KubeNetworkPolicy;

  /**
   * Makes every pod of `workload` run as this ServiceAccount and carry `podLabels`. Knows Pod, Deployment,
   * StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, PyTorchJob (every replica), SparkApplication and
   * ScheduledSparkApplication (driver and executor) and InferenceService (predictor, transformer, explainer).
   * Throws for any other kind, for a workload in another namespace, and for pods already set to run as
   * another service account.
   */
  public bind(workload: ApiObject): void {
    const prefix = `PodIdentityBinding '${this.node.id}'`;
    const json = workload.toJson() as Record<string, unknown> & { kind: string; metadata?: { name?: string; namespace?: string } };
    const what = `${json.kind} '${json.metadata?.name ?? workload.node.id}'`;
    const templates = podTemplateLocations(json);
    if (templates === undefined) {
      throw new Error(`${prefix}: cannot bind ${what}: kind '${json.kind}' has no pod template this construct knows; use one of ${POD_TEMPLATE_KINDS.join(', ')}`);
    }
    if (json.metadata?.namespace !== this.namespace) {
      throw new Error(`${prefix}: cannot bind ${what} in namespace '${json.metadata?.namespace ?? '(none)'}': the ServiceAccount is in namespace '${this.namespace}'; put the workload in '${this.namespace}' or create a binding there`);
    }
    const operations = templates.flatMap((template) => {
      const current = getPath(json, template.serviceAccountPath);
      if (current !== undefined && current !== this.serviceAccountName) {
        throw new Error(`${prefix}: cannot bind ${what}: '${template.serviceAccountPath.join('.')}' is already '${current}'; remove it and let the binding set '${this.serviceAccountName}'`);
      }
      const merged: Record<string, string> = { ...(getPath(json, template.labelsPath) as Record<string, string> | undefined), ...this.podLabels };
      const labels = Object.fromEntries(Object.keys(merged).sort().map((key) => [key, merged[key]]));
      return [addAtPath(json, template.serviceAccountPath, this.serviceAccountName), addAtPath(json, template.labelsPath, labels)];
    });
    workload.addJsonPatch(...operations.map((op) => JsonPatch.add(op.path, op.value)));
  }

  private validateProps(id: string, props: PodIdentityBindingProps): void {
    const prefix = `PodIdentityBinding '${id}'`;
    const guids = [['clientId', props.clientId], ['tenantId', props.tenantId]] as const;
    for (const [prop, value] of guids) {
      if (!GUID.test(value)) throw new Error(`${prefix}: '${prop}' ("${value}") is not a GUID; use the value Azure shows, such as 00000000-0000-0000-0000-000000000000`);
    }
    if (!DNS_LABEL.test(props.namespace)) {
      throw new Error(`${prefix}: 'namespace' ("${props.namespace}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (!DNS_SUBDOMAIN.test(this.serviceAccountName)) {
      throw new Error(`${prefix}: 'serviceAccountName' ("${this.serviceAccountName}") must be a DNS subdomain: lowercase letters, digits, '-' and '.'; set 'serviceAccountName' explicitly`);
    }
    if (this.mode === IdentityMode.WORKLOAD_IDENTITY) {
      if (props.oidcIssuerUrl === undefined || !/^https:\/\/\S+$/.test(props.oidcIssuerUrl)) {
        throw new Error(`${prefix}: 'oidcIssuerUrl' (${props.oidcIssuerUrl ?? 'undefined'}) must be the cluster's https:// OIDC issuer URL with Workload Identity; see az aks show --query oidcIssuerProfile.issuerUrl`);
      }
      const name = props.federatedCredentialName ?? `${props.namespace}-${this.serviceAccountName}`;
      if (!CREDENTIAL_NAME.test(name)) {
        throw new Error(`${prefix}: 'federatedCredentialName' ("${name}") must be 3 to 120 letters, digits, '-' or '_', starting with a letter or digit`);
      }
    } else {
      if (props.resourceId === undefined || !RESOURCE_ID.test(props.resourceId)) {
        throw new Error(`${prefix}: 'resourceId' (${props.resourceId ?? 'undefined'}) must be a user-assigned identity resource ID (/subscriptions/<id>/resourcegroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>) with mode '${IdentityMode.AAD_POD_IDENTITY}'`);
      }
    }
  }
}
