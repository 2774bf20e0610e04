/** NetworkPolicy builders for the allow rules workloads add on top of the namespace default deny. */
import { Construct } from 'constructs';
import * as k8s from './k8s';
import { NAMESPACE_NAME_LABEL } from './labels';
import { ANY_ADDRESS, declareFlows } from './flows';

/** Labels selecting pods; an empty map selects every pod of the namespace. */
export type PodLabels = { readonly [key: string]: string };

/** Where egress may go: a CIDR, or pods of a namespace. */
export type EgressPeer =
  | { readonly cidr: string; readonly except?: readonly string[] }
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
        to: target.peers.map((peer) => 'cidr' in peer
          ? { ipBlock: { cidr: peer.cidr, except: peer.except?.length ? [...peer.except] : undefined } }
          : namespacePeer(peer.namespace, peer.podLabels)),
        ports: tcpPorts(target.ports),
      }],
    },
  });
}

/**
 * Public addresses: everything but the private ranges (RFC 1918) and the instance metadata endpoint, as the
 * zero-to-jupyterhub chart 4.4.0 writes its `nonPrivateIPs` egress rule (jupyterhub/templates/_helpers-netpol.tpl).
 * For services known only by name on the Internet (login.microsoftonline.com, a partner's API).
 */
export const PUBLIC_ADDRESSES: { readonly cidr: string; readonly except: readonly string[] } = {
  cidr: '0.0.0.0/0',
  except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.169.254/32'],
};

/**
 * Ports pods reach the Kubernetes API server on. On AKS pods call `kubernetes.default.svc:443`, which the node
 * translates to the API server's address on 443; 6443 is the API server's own port on clusters that expose it
 * there. Both are opened like the operator namespaces' `allow-operator-traffic` does.
 */
export const API_SERVER_PORTS: readonly number[] = [443, 6443];

/**
 * The egress rule to the API server: the API server ports to any destination, without an address. Every
 * namespace of the platform reaches the API server this way (operator namespaces, the Kafka entity operator,
 * NiFi and notebooks submitting Spark jobs, Spark drivers), because an address cannot name it reliably:
 * - on AKS the API server is published by name, not by a stable address range: learn.microsoft.com/azure/aks/
 *   outbound-rules-control-egress lists it as the FQDN `*.hcp.<location>.azmk8s.io` (443) and says the AKS
 *   dependencies are FQDNs "which don't have static addresses behind them"; a private cluster reaches it through
 *   a private endpoint, API Server VNet Integration through a delegated subnet (learn.microsoft.com/azure/aks/
 *   api-server-vnet-integration), so a configured CIDR silently goes stale;
 * - with Azure CNI powered by Cilium, traffic to the API server gets Cilium's reserved `kube-apiserver` identity,
 *   and a Kubernetes NetworkPolicy `ipBlock` does not match it (cilium/cilium issues #20550 "Kubernetes network
 *   policy for api-server" and #14724; Cilium's own policies use the `kube-apiserver` entity instead).
 * The cost: the selected pods may also open 443/6443 to other destinations; keep the pod selector narrow.
 */
export function apiServerEgressRule(): k8s.NetworkPolicyEgressRule {
  return { ports: tcpPorts(API_SERVER_PORTS) };
}

/**
 * Lets the selected pods reach the API server (`apiServerEgressRule`) and declares the flows for the verifier
 * (destination: any address, as for the operators).
 */
export function allowApiServerEgress(scope: Construct, id: string, target: Omit<PolicyTarget, 'ports'> & { readonly purpose: string }): k8s.KubeNetworkPolicy {
  declareFlows(scope, { purpose: target.purpose, from: { namespace: target.namespace, podLabels: { ...target.podLabels } }, to: { cidr: ANY_ADDRESS } }, API_SERVER_PORTS);
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: { podSelector: { matchLabels: { ...target.podLabels } }, policyTypes: ['Egress'], egress: [apiServerEgressRule()] },
  });
}

/** Egress to Azure services over HTTPS (Storage, Entra ID token endpoint); policies cannot match FQDNs. */
export const AZURE_HTTPS_EGRESS: { readonly peers: readonly EgressPeer[]; readonly ports: readonly number[] } = {
  peers: [{ cidr: '0.0.0.0/0' }],
  ports: [443],
};

/**
 * The fewest pod selectors that together select exactly the pods one of `labelSets` selects (each set read as
 * matchLabels). Sets with the same keys that differ in one key only become one selector: matchLabels for the
 * keys they share, `<key> In (values)` for the one that differs. A pod matches the merged selector exactly when
 * it matches one of the sets it replaces, so the rule stays as narrow as one selector per set. An empty set (every
 * pod) stays an empty selector. Deterministic: selectors and values come sorted.
 */
export function mergedPodSelectors(labelSets: readonly PodLabels[]): k8s.LabelSelector[] {
  const canonical = (labels: PodLabels) => JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
  const unique = new Map<string, PodLabels>();
  for (const labels of labelSets) unique.set(canonical(labels), labels);
  const byKeys = new Map<string, PodLabels[]>();
  for (const labels of unique.values()) {
    const keys = JSON.stringify(Object.keys(labels).sort());
    byKeys.set(keys, [...(byKeys.get(keys) ?? []), labels]);
  }
  const selectors: { sortKey: string; selector: k8s.LabelSelector }[] = [];
  for (const [keysJson, sets] of byKeys) {
    const keys = JSON.parse(keysJson) as string[];
    if (sets.length === 1 || keys.length === 0) {
      for (const labels of sets) selectors.push({ sortKey: canonical(labels), selector: { matchLabels: { ...labels } } });
      continue;
    }
    // The key to vary: the one that leaves the fewest groups when the sets are grouped by all other keys.
    const groupsVarying = (varying: string) => {
      const groups = new Map<string, PodLabels[]>();
      for (const labels of sets) {
        const rest = JSON.stringify(keys.filter((k) => k !== varying).map((k) => labels[k]));
        groups.set(rest, [...(groups.get(rest) ?? []), labels]);
      }
      return groups;
    };
    const varying = keys.reduce((best, key) => (groupsVarying(key).size < groupsVarying(best).size ? key : best), keys[0]);
    for (const group of groupsVarying(varying).values()) {
      const shared = Object.fromEntries(keys.filter((k) => k !== varying).map((k) => [k, group[0][k]]));
      const values = [...new Set(group.map((labels) => labels[varying]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const selector: k8s.LabelSelector = values.length === 1
        ? { matchLabels: { ...shared, [varying]: values[0] } }
        : { matchLabels: Object.keys(shared).length > 0 ? shared : undefined, matchExpressions: [{ key: varying, operator: 'In', values }] };
      selectors.push({ sortKey: canonical({ ...shared, [varying]: values[0] }), selector });
    }
  }
  return selectors.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)).map((s) => s.selector);
}

/** One egress rule: pods of a namespace (any of several label sets) on some ports. */
export interface EgressToPodsRule {
  /** Namespace of the destination pods. */
  readonly namespace: string;
  /** Label sets of the destination pods; the rule admits pods matching any of them (see `mergedPodSelectors`). */
  readonly podLabelSets: readonly PodLabels[];
  /** TCP ports (container ports). */
  readonly ports: readonly number[];
}

/**
 * One policy letting the selected pods reach several groups of pods, one egress rule per namespace and port set,
 * with label selectors merged by `mergedPodSelectors`: it admits exactly the union of one `allowEgressTo` policy
 * per label set, in one object instead of one per destination.
 */
export function allowEgressToPods(scope: Construct, id: string, target: Omit<PolicyTarget, 'ports'> & { readonly rules: readonly EgressToPodsRule[] }): k8s.KubeNetworkPolicy {
  const merged = new Map<string, { namespace: string; ports: number[]; podLabelSets: PodLabels[] }>();
  for (const rule of target.rules) {
    const ports = [...new Set(rule.ports)].sort((a, b) => a - b);
    const key = `${rule.namespace} ${ports.join(',')}`;
    const entry = merged.get(key) ?? { namespace: rule.namespace, ports, podLabelSets: [] };
    entry.podLabelSets.push(...rule.podLabelSets);
    merged.set(key, entry);
  }
  const egress = [...merged.keys()].sort().map((key) => {
    const { namespace, ports, podLabelSets } = merged.get(key)!;
    return {
      to: mergedPodSelectors(podLabelSets).map((podSelector) => ({
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
        podSelector: Object.keys(podSelector.matchLabels ?? {}).length > 0 || podSelector.matchExpressions ? podSelector : undefined,
      })),
      ports: tcpPorts(ports),
    };
  });
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: { podSelector: { matchLabels: { ...target.podLabels } }, policyTypes: ['Egress'], egress },
  });
}
