import { Construct } from 'constructs';
import * as k8s from '../core/k8s';
import { declareFlow } from '../core/flows';
import { allowEgressToPods, allowIngressFromPods, PodLabels } from '../core/network-policies';
import { HTTP01_SOLVER_POD_LABELS, HTTP01_SOLVER_PORT } from '../gitops/cert-manager-solver';

/** Properties for `AcmeHttp01SolverAccess`. */
export interface AcmeHttp01SolverAccessProps {
  /** Name of the Gateway whose ClusterIssuer solves HTTP-01 challenges through it. */
  readonly gatewayName: string;
  /** Namespace of the Gateway: where cert-manager creates the solver pods (the Certificate's namespace). */
  readonly namespace: string;
  /** Labels of the Gateway's proxy pods. */
  readonly proxyPodLabels: PodLabels;
}

/**
 * Lets a Gateway's proxies reach cert-manager's ACME HTTP-01 solver pods in the default-deny gateway namespace:
 * the ACME server fetches `http://<host>/.well-known/acme-challenge/<token>` through the Gateway's HTTP listener,
 * and the HTTPRoute cert-manager creates sends it to the solver Service on port 8089 (cert-manager v1.18.2
 * pkg/issuer/acme/http/httproute.go `generateHTTPRouteSpec`, http.go `acmeSolverListenPort`), which the proxies
 * reach at the solver pods' address. Two policies, both narrow: the solver pods (label
 * `acme.cert-manager.io/http01-solver: "true"`, pod.go `podLabels`) admit only this Gateway's proxies on 8089, and
 * the proxies may connect to those pods on 8089. Made by `SharedGateway` when its ClusterIssuer uses HTTP-01, so
 * every cluster with a routed Gateway gets it.
 */
export class AcmeHttp01SolverAccess extends Construct {
  /** Ingress to the solver pods from the proxies. */
  public readonly solverIngress: k8s.KubeNetworkPolicy;
  /** Egress of the proxies to the solver pods. */
  public readonly proxyEgress: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: AcmeHttp01SolverAccessProps) {
    super(scope, id);
    if (Object.keys(props.proxyPodLabels).length === 0) {
      throw new Error(`AcmeHttp01SolverAccess '${id}': 'proxyPodLabels' is empty; give the labels of the Gateway's proxy pods so that only they reach the solver pods`);
    }
    this.solverIngress = allowIngressFromPods(this, 'solver-ingress', {
      name: `${props.gatewayName}-acme-http01-solver`,
      namespace: props.namespace,
      podLabels: HTTP01_SOLVER_POD_LABELS,
      fromNamespace: props.namespace,
      fromPodLabels: props.proxyPodLabels,
      ports: [HTTP01_SOLVER_PORT],
    });
    this.proxyEgress = allowEgressToPods(this, 'proxy-egress', {
      name: `${props.gatewayName}-to-acme-http01-solver`,
      namespace: props.namespace,
      podLabels: props.proxyPodLabels,
      rules: [{ namespace: props.namespace, podLabelSets: [HTTP01_SOLVER_POD_LABELS], ports: [HTTP01_SOLVER_PORT] }],
    });
    declareFlow(this, {
      purpose: `${props.gatewayName} gateway proxies forward ACME HTTP-01 challenges to cert-manager's solver pods`,
      from: { namespace: props.namespace, podLabels: { ...props.proxyPodLabels } },
      to: { namespace: props.namespace, podLabels: { ...HTTP01_SOLVER_POD_LABELS } },
      port: HTTP01_SOLVER_PORT,
    });
  }
}
