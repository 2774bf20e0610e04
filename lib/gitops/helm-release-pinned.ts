import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as helm from '../../imports/helm.toolkit.fluxcd.io';
import * as source from '../../imports/source.toolkit.fluxcd.io';
import * as k8s from '../core/k8s';
import { apiServerEgressRule } from '../core/network-policies';
import { ANY_ADDRESS, declareFlow } from '../core/flows';
import { allowIngressFromAnywhere } from '../core/network-policies';
import type { OperatorWebhook } from './operator-network';
import { ContainerDefaults, NamespaceBaseline, PodSecurityLevel } from '../core/namespace-baseline';
import { declareFolderPlacement } from '../core/folder-placement';

/** Pod Security levels an operator namespace can enforce, each value the exact label value. */
export type NamespacePodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** A namespace created together with a release, with the platform baseline. */
export interface ReleaseNamespace {
  /** Pod Security level enforced on the namespace (audit and warn stay at restricted). */
  readonly podSecurityLevel: NamespacePodSecurityLevel;
  /**
   * Why the namespace needs a level below restricted.
   * @default - none (only valid with the restricted level)
   */
  readonly podSecurityReason?: string;
  /**
   * Pod Security Standards version of the labels, such as `v1.31`: the cluster's pinned minor, so an AKS upgrade
   * never tightens admission of the operator's pods by surprise.
   * @default 'latest'
   */
  readonly podSecurityVersion?: string;
  /** ResourceQuota `spec.hard` of the namespace. */
  readonly quota: { readonly [resource: string]: string | number };
  /** Container defaults (LimitRange) of the namespace. */
  readonly containerDefaults: ContainerDefaults;
  /**
   * TCP ports of the operator pods that accept connections from anywhere (webhooks the API server calls).
   * @default - none: the namespace admits no ingress at all
   */
  readonly ingressPorts?: readonly number[];
}

/**
 * On top of the namespace baseline's default deny: ingress from anywhere only on the operator's webhook ports
 * (the API server's addresses are not published on AKS), and egress to the API server and cloud endpoints over
 * HTTPS.
 */
export function operatorTrafficPolicy(scope: Construct, namespace: string, ingressPorts: readonly number[]): k8s.KubeNetworkPolicy {
  const ports = [...ingressPorts].sort((a, b) => a - b);
  return new k8s.KubeNetworkPolicy(scope, 'operator-traffic', {
    metadata: { name: 'allow-operator-traffic', namespace },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: ports.length > 0 ? [{ ports: ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) }] : [],
      egress: [apiServerEgressRule()],
    },
  });
}

/** Properties for `PinnedHelmRelease`. */
export interface PinnedHelmReleaseProps {
  /** Name of the HelmRelease and of the Helm release (a DNS label of at most 53 characters). */
  readonly releaseName: string;
  /** Namespace of the HelmRelease, its chart source and the release itself. */
  readonly namespace: string;
  /**
   * Chart repository: `https://...` (a HelmRepository) or `oci://...` without the chart name (an OCIRepository).
   * @see https://fluxcd.io/flux/components/source/ocirepositories/
   */
  readonly repository: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version (`1.2.3` or `v1.2.3`); ranges are rejected so every release is reviewable. */
  readonly version: string;
  /**
   * Helm values (plain JSON; callers build them from typed interfaces).
   * @default - the chart's defaults
   */
  readonly values?: { readonly [key: string]: unknown };
  /**
   * Kustomize post-renderers applied to the rendered chart (`spec.postRenderers`), for settings a chart has no
   * value for.
   * @default - none
   */
  readonly postRenderers?: readonly helm.HelmReleaseSpecPostRenderers[];
  /**
   * How often the release is reconciled.
   * @default '30m'
   */
  readonly interval?: string;
  /**
   * Time allowed for each Helm action (install, upgrade, waiting for resources and jobs).
   * @default '10m'
   */
  readonly timeout?: string;
  /**
   * HelmReleases (in any namespace) that must be ready before this one installs.
   * @default - none
   */
  readonly dependsOn?: readonly PinnedHelmRelease[];
  /**
   * Create the namespace with these Pod Security settings.
   * @default - the namespace must exist already
   */
  readonly createNamespace?: ReleaseNamespace;
  /**
   * Admission webhook servers of the release: each gets a NetworkPolicy `allow-webhook-<name>` admitting any
   * source on its port (AKS does not publish the address the API server's calls come from), declared as a flow.
   * @default - none
   */
  readonly webhooks?: readonly OperatorWebhook[];
  /**
   * The release's pods call the API server: declared as a flow (the namespace's operator policy allows it).
   * @default false
   */
  readonly callsApiServer?: boolean;
  /**
   * How the source-controller authenticates to an `oci://` registry: `azure` uses Flux's own Azure identity
   * (an Azure Container Registry), `generic` the `secretName` or anonymous access (OCIRepository `spec.provider`,
   * Flux source-controller v1.9.1).
   * @default 'generic'
   */
  readonly provider?: 'generic' | 'azure';
  /**
   * Secret in `namespace` with the registry credentials (`spec.secretRef` of the source): a
   * `kubernetes.io/dockerconfigjson` Secret for `oci://`, `username`/`password` for `https://`. Created outside dist/.
   * @default - none (a public repository)
   */
  readonly secretName?: string;
  /**
   * Labels on the source, the HelmRelease and the namespace.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
}

/**
 * A Flux HelmRelease (`helm.toolkit.fluxcd.io/v2`) of one chart at one exact version, with its source: a
 * HelmRepository for `https://` repositories, or an OCIRepository pinned to the version tag for `oci://`
 * registries (referenced with `chartRef`). CRDs are created and replaced on install and upgrade, and failed
 * installs and upgrades are retried and rolled back.
 */
export class PinnedHelmRelease extends Construct {
  /** The HelmRelease (the default child). */
  public readonly resource: helm.HelmRelease;
  /** The chart source: a HelmRepository or an OCIRepository. */
  public readonly source: ApiObject;
  /** Kind of `source`. */
  public readonly sourceKind: 'HelmRepository' | 'OCIRepository';
  /** Name of the HelmRelease. */
  public readonly releaseName: string;
  /** Namespace of the HelmRelease. */
  public readonly namespace: string;
  /** The namespace with its baseline, when `createNamespace` is set. */
  public readonly namespaceBaseline?: NamespaceBaseline;
  /** HTTPS egress of the operator pods (API server, cloud endpoints), when `createNamespace` is set. */
  public readonly operatorTraffic?: k8s.KubeNetworkPolicy;
  /** Ingress of each webhook server from the API server, by webhook name. */
  public readonly webhookPolicies: ReadonlyMap<string, k8s.KubeNetworkPolicy>;

  constructor(scope: Construct, id: string, props: PinnedHelmReleaseProps) {
    super(scope, id);
    declareFolderPlacement(this, 'service');
    this.validateProps(id, props);
    this.releaseName = props.releaseName;
    this.namespace = props.namespace;
    const labels = props.labels ? { ...props.labels } : undefined;
    const metadata = { name: props.releaseName, namespace: props.namespace, labels };

    if (props.createNamespace) {
      const ns = props.createNamespace;
      this.namespaceBaseline = new NamespaceBaseline(this, 'namespace', {
        name: props.namespace,
        podSecurityLevel: ns.podSecurityLevel as PodSecurityLevel,
        podSecurityReason: ns.podSecurityReason,
        podSecurityVersion: ns.podSecurityVersion,
        quota: ns.quota,
        containerDefaults: ns.containerDefaults,
        labels,
      });
      // On top of the baseline's default deny: operators serve webhooks to the API server, whose addresses AKS
      // does not publish (so from anywhere, but only on the webhook ports), and call the API server and cloud
      // endpoints over HTTPS. Webhook servers the release models (`webhooks`) get their own policy instead.
      this.operatorTraffic = operatorTrafficPolicy(this, props.namespace, ns.ingressPorts ?? []);
    }

    const webhookPolicies = new Map<string, k8s.KubeNetworkPolicy>();
    for (const webhook of props.webhooks ?? []) {
      webhookPolicies.set(webhook.name, allowIngressFromAnywhere(this, `webhook-${webhook.name}`, {
        name: `allow-webhook-${webhook.name}`, namespace: props.namespace, podLabels: webhook.podLabels, ports: [webhook.port],
      }));
      declareFlow(this, { purpose: `API server to the ${webhook.name} admission webhook`, from: { cidr: ANY_ADDRESS }, to: { namespace: props.namespace, podLabels: { ...webhook.podLabels } }, port: webhook.port });
    }
    this.webhookPolicies = webhookPolicies;
    if (props.callsApiServer) {
      declareFlow(this, { purpose: 'operator pods call the API server', from: { namespace: props.namespace, podLabels: {} }, to: { cidr: ANY_ADDRESS }, port: 443 });
    }

    const oci = props.repository.startsWith('oci://');
    this.sourceKind = oci ? 'OCIRepository' : 'HelmRepository';
    this.source = oci
      ? new source.OciRepository(this, 'source', {
        metadata,
        spec: {
          url: `${props.repository}/${props.chart}`,
          ref: { tag: props.version },
          interval: '12h',
          provider: props.provider === 'azure' ? source.OciRepositorySpecProvider.AZURE : undefined,
          secretRef: props.secretName ? { name: props.secretName } : undefined,
          layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: source.OciRepositorySpecLayerSelectorOperation.COPY },
        },
      })
      : new source.HelmRepository(this, 'source', {
        metadata,
        spec: { url: props.repository, interval: '12h', secretRef: props.secretName ? { name: props.secretName } : undefined },
      });

    this.resource = new helm.HelmRelease(this, 'Resource', {
      metadata,
      spec: {
        interval: props.interval ?? '30m',
        timeout: props.timeout ?? '10m',
        releaseName: props.releaseName,
        ...(oci
          ? { chartRef: { kind: helm.HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: props.releaseName } }
          : {
            chart: {
              spec: {
                chart: props.chart,
                version: props.version,
                sourceRef: { kind: helm.HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: props.releaseName },
                interval: '12h',
              },
            },
          }),
        dependsOn: props.dependsOn?.length
          ? props.dependsOn.map((release) => ({ name: release.releaseName, namespace: release.namespace }))
          : undefined,
        install: { crds: helm.HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 3 } },
        upgrade: {
          crds: helm.HelmReleaseSpecUpgradeCrds.CREATE_REPLACE,
          cleanupOnFail: true,
          remediation: { retries: 3, remediateLastFailure: true },
        },
        // JSON round trip: drops keys whose value is undefined (optional values left unset).
        values: props.values ? JSON.parse(JSON.stringify(props.values)) : undefined,
        postRenderers: props.postRenderers?.length ? [...props.postRenderers] : undefined,
      },
    });
  }

  private validateProps(id: string, props: PinnedHelmReleaseProps): void {
    const prefix = `PinnedHelmRelease '${id}'`;
    if (!/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(props.releaseName)) {
      throw new Error(`${prefix}: 'releaseName' ("${props.releaseName}") must be a DNS label of at most 53 characters (Helm's limit); use a shorter name`);
    }
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) {
      throw new Error(`${prefix}: 'namespace' ("${props.namespace}") must be a DNS label`);
    }
    if (!/^(https|oci):\/\/\S+[^/\s]$/.test(props.repository)) {
      throw new Error(`${prefix}: 'repository' ("${props.repository}") must be an https:// or oci:// URL without a trailing /`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.chart)) {
      throw new Error(`${prefix}: 'chart' ("${props.chart}") must be a chart name (lowercase letters, digits and '-')`);
    }
    if (!/^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(props.version)) {
      throw new Error(`${prefix}: 'version' ("${props.version}") must be an exact version such as 1.2.3; ranges and tags like latest are not reproducible`);
    }
    if (props.provider === 'azure' && !props.repository.startsWith('oci://')) {
      throw new Error(`${prefix}: 'provider' (azure) applies to oci:// registries only; for an https:// repository use 'secretName'`);
    }
    if (props.provider === 'azure' && props.secretName !== undefined) {
      throw new Error(`${prefix}: 'provider' (azure) and 'secretName' are exclusive: with azure, Flux logs in with its own identity and ignores the Secret; keep one`);
    }
    if (props.createNamespace && props.createNamespace.podSecurityLevel !== 'restricted' && !props.createNamespace.podSecurityReason) {
      throw new Error(`${prefix}: 'createNamespace.podSecurityLevel' (${props.createNamespace.podSecurityLevel}) needs a 'podSecurityReason' that says why restricted is not enough`);
    }
  }
}
