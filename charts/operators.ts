import { HelmReleaseSpecPostRenderers } from '../imports/helm.toolkit.fluxcd.io';
import { aadPodIdentityValues, certManagerValues, envoyGatewayValues, kserveStorageInitializerClientIdPatch, kserveValues, nvidiaDevicePluginValues, sparkOperatorValues, strimziValues } from '../lib/gitops/operator-values';
import { poolFacts } from '../lib/verify/cluster-facts';
import { Operator, OPERATOR_LABEL, OPERATORS, requiredOperators } from '../lib/gitops/operators';
import { deploymentModeValue, KServeDeploymentMode, STORAGE_CLIENT_ID_ANNOTATION } from '../lib/serving/kserve-versions';
import { Airflow } from '../lib/gitops/airflow';
import { HelmChartPin } from '../lib/gitops/config';
import { sparkOperatorSettings } from '../lib/data-processing/config';
import { CertManagerSolverEgress } from '../lib/gitops/cert-manager-egress';
import { ChartServiceAccountIdentity } from '../lib/identity/chart-service-account-identity';
import { FluxGitManifests, FluxPatch } from '../lib/gitops/flux-git-manifests';
import { NamespaceBaseline, PodSecurityLevel } from '../lib/core/namespace-baseline';
import { operatorTrafficPolicy } from '../lib/gitops/helm-release-pinned';
import { PyTorchInitContainerTemplate } from '../lib/training/pytorch-init-template';
import { strimziOperatorSettings } from '../lib/streaming/config';
import { Construct } from 'constructs';
import { ANY_ADDRESS, declareFlow } from '../lib/core/flows';
import { allowIngressFromAnywhere } from '../lib/core/network-policies';
import { PinnedHelmRelease } from '../lib/gitops/helm-release-pinned';
import { operatorCallsApiServer, operatorWebhooks, portsAdmittedElsewhere } from '../lib/gitops/operator-network';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { podIdentityFor } from './identity';

/** Default registry of the KServe charts (kserve-crd and kserve). */
export const KSERVE_CHART_REPOSITORY = 'oci://ghcr.io/kserve/charts';
/** Default namespace of the Flux objects. */
export const FLUX_NAMESPACE = 'flux-system';

type Releases = Map<Operator, PinnedHelmRelease>;

/** One chart of an operator. */
interface OperatorChart {
  readonly releaseName: string;
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  readonly values?: object;
  /** Kustomize post-renderers of the release. */
  readonly postRenderers?: readonly HelmReleaseSpecPostRenderers[];
  /** Registry access (`provider`, `secretName`) of the pin. */
  readonly access?: { readonly provider?: 'generic' | 'azure'; readonly secretName?: string };
  /** Whether this release creates the operator namespace (the first chart of the operator does). */
  readonly createsNamespace: boolean;
}

/** A HelmRelease of one chart of `operator`, in the operator's namespace, after the operators it depends on. */
function addRelease(context: ClusterContext, operator: Operator, chart: OperatorChart, installed: Releases): PinnedHelmRelease {
  const info = OPERATORS[operator];
  const created = new PinnedHelmRelease(context.layers.operators, `operator-${chart.releaseName}`, {
    releaseName: chart.releaseName,
    namespace: info.namespace,
    repository: chart.repository,
    chart: chart.chart,
    version: chart.version,
    provider: chart.access?.provider,
    secretName: chart.access?.secretName,
    values: chart.values as { [key: string]: unknown } | undefined,
    postRenderers: chart.postRenderers,
    interval: context.platform.gitops?.intervals?.helmReleases,
    dependsOn: [...info.dependsOn.flatMap((dependency) => installed.get(dependency) ?? []), ...(installed.has(operator) ? [installed.get(operator)!] : [])],
    createNamespace: chart.createsNamespace ? {
      podSecurityLevel: info.podSecurity.level,
      podSecurityReason: info.podSecurity.reason,
      podSecurityVersion: `v${context.cluster.kubernetesVersion}`,
      quota: context.cluster.namespaceDefaults.quota,
      containerDefaults: context.cluster.namespaceDefaults.containerDefaults,
      ingressPorts: info.ingressPorts.map((p) => p.port).filter((port) => !portsAdmittedElsewhere(operator, operator, info.defaultChart).includes(port)),
    } : undefined,
    labels: { [OPERATOR_LABEL]: operator },
    webhooks: operatorWebhooks(operator, chart.releaseName, chart.chart),
    callsApiServer: operatorCallsApiServer(operator, chart.chart),
  });
  installed.set(operator, created);
  return created;
}

/** The HelmRelease of an operator with a single chart, when the cluster pins it (a missing pin is a config error). */
function pinnedRelease(context: ClusterContext, operator: Operator, pin: HelmChartPin | undefined, values: object, installed: Releases): void {
  if (!pin) return; // reported by the config rule operatorsArePinned
  addRelease(context, operator, {
    releaseName: operator, repository: pin.repository, chart: pin.chart ?? OPERATORS[operator].defaultChart, version: pin.version, values, createsNamespace: true, access: pin,
  }, installed);
}

/** KServe: the CRD chart, then the controller chart (after cert-manager and the CRDs), both at serving.kserve.version. */
function kserveReleases(context: ClusterContext, installed: Releases): void {
  // Typed loosely: the serving section (issue 5) may not be in ClusterSchema yet.
  const kserve = (context.cluster as { serving?: { kserve?: { version: string; deploymentMode: string } } }).serving?.kserve;
  if (!kserve) return;
  const pin = context.cluster.operators?.kserve;
  const repository = pin?.repository ?? KSERVE_CHART_REPOSITORY;
  const version = `v${kserve.version}`;
  addRelease(context, Operator.KSERVE, { releaseName: 'kserve-crd', repository, chart: 'kserve-crd', version, createsNamespace: true, access: pin }, installed);
  const mode = deploymentModeValue(kserve.deploymentMode as KServeDeploymentMode, kserve.version);
  addRelease(context, Operator.KSERVE, {
    releaseName: 'kserve', repository, chart: pin?.chart ?? OPERATORS[Operator.KSERVE].defaultChart, version, values: kserveValues(mode), createsNamespace: false, access: pin,
    postRenderers: context.cluster.identityMode === 'aad-pod-identity' ? [kserveStorageInitializerClientIdPatch(STORAGE_CLIENT_ID_ANNOTATION)] : undefined,
  }, installed);
}

/**
 * The training operator's namespace with the platform baseline (the upstream overlay's own Namespace, which has
 * no Pod Security labels, is deleted by a patch), and the init-pytorch template in it, mounted into the
 * operator by a patch: Workers of PyTorchJobs then pass the restricted level of the training namespace.
 * Returns the Flux patches of the training-operator Kustomization.
 */
function trainingOperatorNamespace(context: ClusterContext): FluxPatch[] {
  const info = OPERATORS[Operator.TRAINING_OPERATOR];
  new NamespaceBaseline(context.layers.operators, 'operator-training-operator-namespace', {
    name: info.namespace,
    podSecurityLevel: info.podSecurity.level as PodSecurityLevel,
    podSecurityReason: info.podSecurity.reason,
    podSecurityVersion: `v${context.cluster.kubernetesVersion}`,
    quota: context.cluster.namespaceDefaults.quota,
    containerDefaults: context.cluster.namespaceDefaults.containerDefaults,
    labels: { [OPERATOR_LABEL]: Operator.TRAINING_OPERATOR },
  });
  // The same traffic as a PinnedHelmRelease namespace: the webhook on its own pods only, declared as flows.
  const network = new Construct(context.layers.operators, 'operator-training-operator-network');
  const name = Operator.TRAINING_OPERATOR as string;
  operatorTrafficPolicy(network, info.namespace, info.ingressPorts.map((p) => p.port).filter((port) => !portsAdmittedElsewhere(Operator.TRAINING_OPERATOR, name, info.defaultChart).includes(port)));
  for (const webhook of operatorWebhooks(Operator.TRAINING_OPERATOR, name, info.defaultChart)) {
    allowIngressFromAnywhere(network, `webhook-${webhook.name}`, { name: `allow-webhook-${webhook.name}`, namespace: info.namespace, podLabels: webhook.podLabels, ports: [webhook.port] });
    declareFlow(network, { purpose: `API server to the ${webhook.name} admission webhook`, from: { cidr: ANY_ADDRESS }, to: { namespace: info.namespace, podLabels: { ...webhook.podLabels } }, port: webhook.port });
  }
  declareFlow(network, { purpose: 'operator pods call the API server', from: { namespace: info.namespace, podLabels: {} }, to: { cidr: ANY_ADDRESS }, port: 443 });
  const template = new PyTorchInitContainerTemplate(context.layers.operators, 'operator-training-operator-pytorch-init', { namespace: info.namespace });
  return [
    { patch: `$patch: delete\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${info.namespace}\n`, target: { kind: 'Namespace', name: info.namespace } },
    ...template.patches,
  ];
}

/**
 * The Workload Identity of the cert-manager controller when the gateway's ClusterIssuer solves DNS-01 in Azure DNS
 * (`routing.tls.azureDns`): cert-manager v1.18.2 pkg/issuer/acme/dns/azuredns/azuredns.go `getAuthorization` uses
 * Workload Identity when the controller pod has `AZURE_FEDERATED_TOKEN_FILE`, which the azure-workload-identity
 * webhook injects into pods labelled `azure.workload.identity/use: "true"`, for the client ID of the ServiceAccount
 * annotation (or the issuer's `managedIdentity.clientID`). The ServiceAccount is the chart's: `cert-manager` (release
 * name, `cert-manager.serviceAccountName` in deploy/charts/cert-manager/templates/_helpers.tpl) in the operator
 * namespace. Its role on the zone comes from `roleAssignmentsDocument`. Undefined otherwise (the config rules
 * report dns01 without azureDns, and a cluster outside Workload Identity).
 */
function certManagerAzureDnsIdentity(context: ClusterContext): ChartServiceAccountIdentity | undefined {
  const tls = context.cluster.routing?.tls;
  const identity = tls?.azureDns && context.platform.identities[tls.azureDns.identity];
  if (tls?.acmeSolver !== 'dns01' || !tls.azureDns || !identity) return undefined;
  if ((context.cluster.identityMode ?? 'workload-identity') !== 'workload-identity') return undefined;
  const namespace = OPERATORS[Operator.CERT_MANAGER].namespace;
  return new ChartServiceAccountIdentity(context.layers.operators, 'operator-cert-manager-azure-dns-identity', {
    namespace,
    serviceAccountName: 'cert-manager',
    identityName: tls.azureDns.identity,
    clientId: identity.clientId,
    tenantId: context.platform.azure.tenantId,
    oidcIssuerUrl: context.cluster.azure.oidcIssuerUrl,
    federatedCredentialName: `${context.clusterName}-${namespace}-cert-manager`,
  });
}

/**
 * The operators the cluster's config sections need (see `requiredOperators`), each from its pinned chart, in
 * the operators layer: HelmReleases (helm.toolkit.fluxcd.io/v2) with their HelmRepository or OCIRepository and
 * namespace; the Kubeflow training operator, which publishes no chart, from its upstream manifests at a Git tag.
 */
export const operatorsComposition: ClusterComposition = (context) => {
  const { cluster } = context;
  const pins = cluster.operators ?? {};
  const installed: Releases = new Map();
  const required = requiredOperators(cluster);
  const gatewayApi = required.some(({ operator }) => operator === Operator.GATEWAY_CONTROLLER);
  for (const { operator } of required) {
    switch (operator) {
      case Operator.CERT_MANAGER:
        pinnedRelease(context, operator, pins.certManager, certManagerValues(OPERATORS[operator].namespace, gatewayApi, certManagerAzureDnsIdentity(context)), installed);
        if (pins.certManager) new CertManagerSolverEgress(context.layers.operators, 'operator-cert-manager-solver-egress', { namespace: OPERATORS[operator].namespace });
        break;
      case Operator.GATEWAY_CONTROLLER:
        pinnedRelease(context, operator, pins.gatewayController, envoyGatewayValues(), installed);
        break;
      case Operator.KSERVE:
        kserveReleases(context, installed);
        break;
      case Operator.SPARK_OPERATOR: {
        const settings = sparkOperatorSettings(cluster.dataProcessing);
        if (settings) pinnedRelease(context, operator, pins.sparkOperator, sparkOperatorValues(settings.jobNamespaces, settings.serviceAccountName), installed);
        break;
      }
      case Operator.TRAINING_OPERATOR:
        if (pins.trainingOperator) {
          const patches = trainingOperatorNamespace(context);
          new FluxGitManifests(context.layers.operators, `operator-${operator}`, {
            patches,
            name: operator,
            namespace: context.platform.gitops?.namespace ?? FLUX_NAMESPACE,
            repository: pins.trainingOperator.repository,
            tag: pins.trainingOperator.tag,
            path: pins.trainingOperator.path ?? OPERATORS[operator].defaultChart,
            interval: context.platform.gitops?.intervals?.helmReleases,
            labels: { [OPERATOR_LABEL]: operator },
          });
        }
        break;
      case Operator.AAD_POD_IDENTITY:
        pinnedRelease(context, operator, pins.aadPodIdentity, aadPodIdentityValues(), installed);
        break;
      case Operator.NVIDIA_DEVICE_PLUGIN: {
        const gpuPools = Object.entries(cluster.nodePools).filter(([, pool]) => pool.gpusPerNode !== undefined)
          .map(([name, pool]) => ({ name, taints: poolFacts(name, pool).taints }));
        pinnedRelease(context, operator, pins.nvidiaDevicePlugin, nvidiaDevicePluginValues(gpuPools), installed);
        break;
      }
      case Operator.STRIMZI: {
        const settings = strimziOperatorSettings(cluster.streaming);
        if (settings) {
          pinnedRelease(context, operator, pins.strimzi, strimziValues(settings.watchNamespaces, OPERATORS[operator].namespace, cluster.clusterDomain), installed);
        }
        break;
      }
    }
  }
};

/**
 * Airflow (`clusters.<name>.airflow`) as a HelmRelease in the workloads layer, in its namespace (declared under
 * `namespaces`, so it has the platform baseline), with ServiceAccounts bound to its Azure identity in the
 * platform layer: one for the scheduler (which launches task pods), one for task pods, one for the rest.
 */
export const airflowComposition: ClusterComposition = (context) => {
  const config = context.cluster.airflow;
  const pin = context.cluster.operators?.airflow;
  if (!config || !pin) return; // a missing pin is reported by the config rule operatorsArePinned
  const namespace = config.namespace ?? 'airflow';
  const bind = (serviceAccountName: string, automountServiceAccountToken: boolean) =>
    podIdentityFor(context, { namespace, identityName: config.identity, serviceAccountName, automountServiceAccountToken });
  const scheduler = bind('airflow-scheduler', true);
  const workers = bind('airflow-worker', false);
  const components = bind('airflow-components', false);
  new Airflow(context.layers.workloads, 'airflow', {
    namespace,
    chart: { repository: pin.repository, chart: pin.chart, version: pin.version },
    imageTag: config.imageTag,
    imageDigest: config.imageDigest,
    airflowVersion: config.airflowVersion,
    dags: config.dags,
    remoteLogs: { storageAccount: config.logs.storageAccount, container: config.logs.container, folder: config.logs.folder ?? context.clusterName },
    metadataSecretName: config.database.secretName,
    serviceAccounts: { scheduler: scheduler.serviceAccountName, workers: workers.serviceAccountName, components: components.serviceAccountName },
    identityPodLabels: scheduler.podLabels,
    interval: context.platform.gitops?.intervals?.helmReleases,
  });
};
