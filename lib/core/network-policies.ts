/** NetworkPolicy builders for the allow rules workloads add on top of the namespace default deny. */
import { Construct } from 'constructs';
import * as k8s from './k8s';
import { NAMESPACE_NAME_LABEL } from './labels';

/** Labels selecting pods; an empty map selects every pod of the namespace. */
export type PodLabels = { readonly [key: string]: string };

/** Where egress may go: a CIDR, or pods of a namespace. */
export type EgressPeer =
  | { readonly cidr: string }
  | { readonly namespace: string; readonly podLabels?: PodLabels };

/** Common props of the policy builders. */
export interface PolicyTarget {
  /** Name of the policy. */
  readonly name: string;
  /** Namespace of the policy and of the pods it selects. */
  readonly namespace: string;
  /** Pods the policy applies to. */
  readonly podLabels: PodLabels;
  /** TCP ports the rule opens (container ports). */
  readonly ports: readonly number[];
}

function tcpPorts(ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

function namespacePeer(namespace: string, podLabels?: PodLabels): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    podSelector: podLabels && Object.keys(podLabels).length > 0 ? { matchLabels: { ...podLabels } } : undefined,
  };
}

/** Admits traffic to the selected pods on `ports` only from pods in namespace `fromNamespace`. */
export function allowIngressFromNamespace(scope: Construct, id: string, target: PolicyTarget & { readonly fromNamespace: string }): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: {
      podSelector: { matchLabels: { ...target.podLabels } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer(target.fromNamespace)], ports: tcpPorts(target.ports) }],
    },
  });
}

/** Admits traffic to the selected pods on `ports` only from the pods `fromPodLabels` selects in `fromNamespace`. */
export function allowIngressFromPods(scope: Construct, id: string, target: PolicyTarget & { readonly fromNamespace: string; readonly fromPodLabels: PodLabels }): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: {
      podSelector: { matchLabels: { ...target.podLabels } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer(target.fromNamespace, target.fromPodLabels)], ports: tcpPorts(target.ports) }],
    },
  });
}

/** Admits traffic to the selected pods on `ports` from any source (for the gateway's listeners). */
export function allowIngressFromAnywhere(scope: Construct, id: string, target: PolicyTarget): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: {
      podSelector: { matchLabels: { ...target.podLabels } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: tcpPorts(target.ports) }],
    },
  });
}

/** Lets the selected pods open connections to `peers` on `ports`. */
export function allowEgressTo(scope: Construct, id: string, target: PolicyTarget & { readonly peers: readonly EgressPeer[] }): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: {
      podSelector: { matchLabels: { ...target.podLabels } },
      policyTypes: ['Egress'],
      egress: [{
        to: target.peers.map((peer) => 'cidr' in peer ? { ipBlock: { cidr: peer.cidr } } : namespacePeer(peer.namespace, peer.podLabels)),
        ports: tcpPorts(target.ports),
      }],
    },
  });
}

/** Egress to Azure services over HTTPS (Storage, Entra ID token endpoint); policies cannot match FQDNs. */
export const AZURE_HTTPS_EGRESS: { readonly peers: readonly EgressPeer[]; readonly ports: readonly number[] } = {
  peers: [{ cidr: '0.0.0.0/0' }],
  ports: [443],
};
