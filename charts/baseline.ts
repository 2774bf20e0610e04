import { NamespaceBaseline, PodSecurityLevel } from '../lib/core/namespace-baseline';
import { sparkOperatorSettings } from '../lib/data-processing/config';
import { ClusterComposition } from '../lib/synth/cluster-context';

/**
 * Every namespace of the cluster with its Pod Security level, default-deny policies, quota and limits, in the
 * platform layer. Spark job namespaces go to the operators layer: the spark-operator chart renders a Role and
 * RoleBinding into each of them at install (kubeflow/spark-operator v2.5.2 charts/spark-operator-chart/templates/
 * controller/rbac.yaml, webhook/rbac.yaml), so they must exist before the HelmRelease installs.
 */
export const baselineComposition: ClusterComposition = ({ cluster, layers }) => {
  const sparkJobNamespaces = sparkOperatorSettings(cluster.dataProcessing)?.jobNamespaces ?? [];
  for (const [name, ns] of Object.entries(cluster.namespaces)) {
    new NamespaceBaseline(sparkJobNamespaces.includes(name) ? layers.operators : layers.platform, `ns-${name}`, {
      name,
      quota: ns.quota ?? cluster.namespaceDefaults.quota,
      containerDefaults: ns.containerDefaults ?? cluster.namespaceDefaults.containerDefaults,
      podSecurityLevel: (ns.podSecurity?.level ?? 'restricted') as PodSecurityLevel,
      podSecurityReason: ns.podSecurity?.reason,
      podSecurityVersion: `v${cluster.kubernetesVersion}`,
      labels: ns.labels,
    });
  }
};
