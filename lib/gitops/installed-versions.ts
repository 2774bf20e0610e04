/**
 * Which operator version each cluster installs, and which CRD schema set (lib/validation/crd-sets.ts) that
 * version ships: the validator checks a cluster's custom resources against exactly that set. Synth records
 * the result per cluster in `dist/<env>/<cluster>/installed-versions.json` so `npm run validate` needs no config.
 *
 * Upstream facts behind the mappings:
 * - Envoy Gateway chart gateway-helm v1.5.0 installs the Gateway API v1.3.0 CRDs (experimental channel):
 *   envoyproxy/gateway@v1.5.0 charts/gateway-helm/crds/gatewayapi-crds.yaml (shared/crds-extra/gateway-api-v1.3.0).
 * - aad-pod-identity chart 4.1.18 ships app v1.8.17 (Azure/aad-pod-identity@v1.8.17 charts/aad-pod-identity/Chart.yaml).
 * - spark-operator chart 2.x versions equal the operator version (kubeflow/spark-operator@v2.5.2 Chart.yaml:
 *   version 2.5.2, appVersion 2.5.2); its CRDs are config/crd/bases at that tag.
 * - The training operator is installed from kubeflow/trainer manifests at the pinned tag (CRDs in manifests/base/crds).
 * - strimzi-kafka-operator chart versions equal the operator version (chart 1.2.0 = Strimzi 1.2.0; its CRDs are
 *   helm-charts/helm3/strimzi-kafka-operator/crds at tag 1.2.0, shared/crds-extra/strimzi-1.2.0).
 * - KServe's CRDs come from the kserve-crd chart of serving.kserve.version (charts/kserve-crd/templates).
 */
import type { ClusterConfig } from '../config/schema';
import { crdSetId, crdSetVersions } from '../validation/crd-sets';
import type { InstalledVersionsFile } from '../validation/installed-versions';
import { Operator, requiredOperators } from './operators';

/** Gateway API bundle (version) of each Envoy Gateway chart version we know. */
export const ENVOY_GATEWAY_API_BUNDLES: Readonly<Record<string, string>> = { 'v1.5.0': 'v1.3.0' };

/** aad-pod-identity app version of each chart version we know. */
export const AAD_POD_IDENTITY_APP_VERSIONS: Readonly<Record<string, string>> = { '4.1.18': 'v1.8.17' };

/** What one operator of a cluster installs. */
export interface InstalledOperator {
  readonly operator: Operator;
  /** What the config pins, as written (`gateway-helm v1.5.0`, `kserve 0.16.0`). */
  readonly pinned: string;
  /** Config path of the pin, relative to the cluster. */
  readonly pinPath: readonly string[];
  /** The CRD schema set the pinned version ships, or undefined if the operator installs no CRDs we validate. */
  readonly crdSet?: { readonly name: string; readonly version: string };
  /** Why no set could be chosen (an unknown pin), with the versions that are available. */
  readonly problem?: string;
}

const withV = (version: string) => (version.startsWith('v') ? version : `v${version}`);

/** The set `name` at `version`, or a problem naming the versions that exist. */
function setOrProblem(name: string, version: string | undefined, what: string): Pick<InstalledOperator, 'crdSet' | 'problem'> {
  const available = crdSetVersions(name);
  if (version !== undefined && available.includes(version)) return { crdSet: { name, version } };
  return { problem: `${what} has no ${name} CRD schemas to validate against; available: ${available.join(', ')} (import the CRDs of this version: lib/validation/crd-sets.ts, make import)` };
}

/**
 * The installed version of every operator the cluster needs, with its CRD schema set. Operators that are not
 * pinned are left out (the config rule `operatorsArePinned` reports them).
 */
export function installedOperators(cluster: ClusterConfig): InstalledOperator[] {
  const pins = cluster.operators ?? {};
  const kserveVersion = (cluster as { serving?: { kserve?: { version?: string } } }).serving?.kserve?.version;
  const result: InstalledOperator[] = [];
  for (const { operator } of requiredOperators(cluster)) {
    switch (operator) {
      case Operator.CERT_MANAGER:
        if (pins.certManager) result.push({ operator, pinned: `${pins.certManager.chart ?? 'cert-manager'} ${pins.certManager.version}`, pinPath: ['operators', 'certManager', 'version'] });
        break;
      case Operator.GATEWAY_CONTROLLER:
        if (pins.gatewayController) {
          const { version } = pins.gatewayController;
          const chart = pins.gatewayController.chart ?? 'gateway-helm';
          const bundle = ENVOY_GATEWAY_API_BUNDLES[withV(version)];
          const known = Object.entries(ENVOY_GATEWAY_API_BUNDLES).map(([eg, api]) => `${eg} (Gateway API ${api})`).join(', ');
          result.push({
            operator, pinned: `${chart} ${version}`, pinPath: ['operators', 'gatewayController', 'version'],
            ...(bundle === undefined
              ? { problem: `Envoy Gateway ${version}: its Gateway API CRD bundle is not known; known chart versions: ${known} (add it to ENVOY_GATEWAY_API_BUNDLES in lib/gitops/installed-versions.ts with its CRDs)` }
              : setOrProblem('gateway-api', bundle, `Envoy Gateway ${version} (Gateway API ${bundle})`)),
          });
        }
        break;
      case Operator.KSERVE:
        if (kserveVersion) result.push({ operator, pinned: `kserve ${kserveVersion}`, pinPath: ['serving', 'kserve', 'version'], ...setOrProblem('kserve', withV(kserveVersion), `KServe ${kserveVersion}`) });
        break;
      case Operator.SPARK_OPERATOR:
        if (pins.sparkOperator) {
          const { version } = pins.sparkOperator;
          result.push({ operator, pinned: `${pins.sparkOperator.chart ?? 'spark-operator'} ${version}`, pinPath: ['operators', 'sparkOperator', 'version'], ...setOrProblem('spark-operator', withV(version), `spark-operator ${version}`) });
        }
        break;
      case Operator.TRAINING_OPERATOR:
        if (pins.trainingOperator) {
          const { tag } = pins.trainingOperator;
          result.push({ operator, pinned: `${pins.trainingOperator.repository} ${tag}`, pinPath: ['operators', 'trainingOperator', 'tag'], ...setOrProblem('kubeflow-training', withV(tag), `training operator ${tag}`) });
        }
        break;
      case Operator.STRIMZI:
        if (pins.strimzi) {
          const { version } = pins.strimzi;
          result.push({ operator, pinned: `${pins.strimzi.chart ?? 'strimzi-kafka-operator'} ${version}`, pinPath: ['operators', 'strimzi', 'version'], ...setOrProblem('strimzi', version.replace(/^v/, ''), `Strimzi ${version}`) });
        }
        break;
      case Operator.AAD_POD_IDENTITY:
        if (pins.aadPodIdentity) {
          const { version } = pins.aadPodIdentity;
          const app = AAD_POD_IDENTITY_APP_VERSIONS[version.replace(/^v/, '')];
          result.push({
            operator, pinned: `${pins.aadPodIdentity.chart ?? 'aad-pod-identity'} ${version}`, pinPath: ['operators', 'aadPodIdentity', 'version'],
            ...(app === undefined
              ? { problem: `aad-pod-identity chart ${version}: its app version is not known; known chart versions: ${Object.keys(AAD_POD_IDENTITY_APP_VERSIONS).join(', ')}` }
              : setOrProblem('aad-pod-identity', app, `aad-pod-identity ${app} (chart ${version})`)),
          });
        }
        break;
    }
  }
  return result;
}

/** The content of `dist/<env>/<cluster>/installed-versions.json`. */
export function installedVersionsFile(environment: string, clusterName: string, cluster: ClusterConfig): InstalledVersionsFile {
  const operators: Record<string, { pinned: string; crdSchemas?: string }> = {};
  for (const installed of installedOperators(cluster)) {
    operators[installed.operator] = installed.crdSet
      ? { pinned: installed.pinned, crdSchemas: crdSetId(installed.crdSet.name, installed.crdSet.version) }
      : { pinned: installed.pinned };
  }
  return { environment, cluster: clusterName, operators };
}
