import { NamespaceBaseline, PodSecurityLevel } from '../lib/core/namespace-baseline';
import { ClusterComposition } from '../lib/synth/cluster-context';

/** Every namespace of the cluster with its Pod Security level, default-deny policies, quota and limits. */
export const baselineComposition: ClusterComposition = ({ cluster, layers }) => {
  for (const [name, ns] of Object.entries(cluster.namespaces)) {
    new NamespaceBaseline(layers.platform, `ns-${name}`, {
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
