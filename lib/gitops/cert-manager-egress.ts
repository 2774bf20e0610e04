import { Construct } from 'constructs';
import { ANY_ADDRESS, declareFlows } from '../core/flows';
import * as k8s from '../core/k8s';
import { CERT_MANAGER_CONTROLLER_POD_LABELS } from './cert-manager-solver';

/**
 * Egress of the cert-manager controller beyond the operator baseline (443 and 6443): the ACME HTTP-01
 * self-check fetches `http://<domain>/.well-known/acme-challenge/...` on port 80 through the public address of
 * the route, and the DNS-01 self-check queries the zone's authoritative nameservers on port 53 directly (not
 * kube-dns) before it tells the ACME server to validate (cert-manager v1.18.2 pkg/issuer/acme/http/http.go,
 * pkg/issuer/acme/dns/util/wait.go). Selects the controller pods of the chart (labels
 * `app.kubernetes.io/name: cert-manager`, `app.kubernetes.io/component: controller`, deploy/charts/cert-manager/
 * templates/deployment.yaml).
 *
 * Port 80 to any address covers a Gateway whose address is outside the cluster. When the self-check reaches a
 * Gateway of this cluster, the node rewrites the LoadBalancer address to a proxy pod on its container port, so
 * `SharedGateway` (through `AcmeHttp01SolverAccess`) adds the egress to its proxies on that port.
 */
export class CertManagerSolverEgress extends Construct {
  /** The NetworkPolicy (the default child). */
  public readonly resource: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const anywhere = [{ ipBlock: { cidr: ANY_ADDRESS } }];
    const controller = { ...CERT_MANAGER_CONTROLLER_POD_LABELS };
    const from = { namespace: props.namespace, podLabels: controller };
    // Declared for the verifier's network-flows rule (the ACME servers and nameservers are known only by name).
    declareFlows(this, { purpose: 'cert-manager ACME HTTP-01 self-check', from, to: { cidr: ANY_ADDRESS } }, [80]);
    declareFlows(this, { purpose: 'cert-manager DNS-01 check against the authoritative nameservers', from, to: { cidr: ANY_ADDRESS }, protocol: 'UDP' }, [53]);
    declareFlows(this, { purpose: 'cert-manager DNS-01 check against the authoritative nameservers', from, to: { cidr: ANY_ADDRESS } }, [53]);
    const port = (protocol: string, p: number) => ({ protocol, port: k8s.IntOrString.fromNumber(p) });
    this.resource = new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: 'cert-manager-acme-egress', namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: controller },
        policyTypes: ['Egress'],
        egress: [
          { to: anywhere, ports: [port('TCP', 80)] },
          { to: anywhere, ports: [port('UDP', 53), port('TCP', 53)] },
        ],
      },
    });
  }
}
