import { Construct } from 'constructs';
import * as k8s from '../core/k8s';
import { declareFlow } from '../core/flows';
import { allowEgressToPods, allowIngressFromPods, PodLabels } from '../core/network-policies';
import { CERT_MANAGER_CONTROLLER_POD_LABELS, CERT_MANAGER_NAMESPACE, HTTP01_SOLVER_POD_LABELS, HTTP01_SOLVER_PORT } from '../gitops/cert-manager-solver';

/** Properties for `AcmeHttp01SolverAccess`. */
export interface AcmeHttp01SolverAccessProps {
  /** Name of the Gateway whose ClusterIssuer solves HTTP-01 challenges through it. */
  readonly gatewayName: string;
  /** Namespace of the Gateway: where cert-manager creates the solver pods (the Certificate's namespace). */
  readonly namespace: string;
  /** Labels of the Gateway's proxy pods. */
  readonly proxyPodLabels: PodLabels;
  /** Container port the proxies listen on for the Gateway's HTTP listener (port 80). */
  readonly proxyHttpPort: number;
  /**
   * Namespace of the cert-manager controller, whose self-check reaches the proxies.
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
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
 *
 * Before it lets the ACME server validate, the cert-manager controller checks the challenge itself: it GETs
 * `http://<host>/.well-known/acme-challenge/<token>` (cert-manager v1.18.2 pkg/issuer/acme/http/http.go
 * `testReachability`, following redirects). The host resolves to the Gateway's LoadBalancer address; from a pod of
 * the same cluster, kube-proxy (and Cilium's socket load balancing) answer that address on the node and send the
 * connection straight to a proxy pod on its container port (Service `status.loadBalancer.ingress[].ipMode` `VIP`,
 * the default), so NetworkPolicies see cert-manager -> proxy pod on the container port of listener 80: 10080 for
 * Envoy Gateway v1.5.0 (internal/gatewayapi/listener.go `servicePortToContainerPort`: ports below 1024 get
 * `wellKnownPortShift` 10000, translator.go l.40-43). The controller's `cert-manager-acme-egress` opens only port
 * 80 (for addresses outside the cluster), so a third policy, in cert-manager's namespace, lets the controller pods
 * reach this Gateway's proxies on that port. The proxies already admit it: the listener policy admits the listener
 * container ports from any source (`SharedGateway` `<name>-listeners`). Both hops are declared as one flow.
 */
export class AcmeHttp01SolverAccess extends Construct {
  /** Ingress to the solver pods from the proxies. */
  public readonly solverIngress: k8s.KubeNetworkPolicy;
  /** Egress of the proxies to the solver pods. */
  public readonly proxyEgress: k8s.KubeNetworkPolicy;
  /** Egress of the cert-manager controller to the proxies, for its HTTP-01 self-check. */
  public readonly selfCheckEgress: k8s.KubeNetworkPolicy;

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
    const certManagerNamespace = props.certManagerNamespace ?? CERT_MANAGER_NAMESPACE;
    this.selfCheckEgress = allowEgressToPods(this, 'self-check-egress', {
      name: `acme-self-check-to-${props.gatewayName}`.slice(0, 63).replace(/-+$/, ''),
      namespace: certManagerNamespace,
      podLabels: CERT_MANAGER_CONTROLLER_POD_LABELS,
      rules: [{ namespace: props.namespace, podLabelSets: [props.proxyPodLabels], ports: [props.proxyHttpPort] }],
    });
    declareFlow(this, {
      purpose: `cert-manager ACME HTTP-01 self-check reaches the ${props.gatewayName} gateway proxies (LoadBalancer address answered inside the cluster)`,
      from: { namespace: certManagerNamespace, podLabels: { ...CERT_MANAGER_CONTROLLER_POD_LABELS } },
      to: { namespace: props.namespace, podLabels: { ...props.proxyPodLabels } },
      port: props.proxyHttpPort,
    });
  }
}
