import { Construct } from 'constructs';
import * as k8s from '../core/k8s';
import { ANY_ADDRESS, declareFlow } from '../core/flows';

/**
 * Egress of the cert-manager controller beyond the operator baseline (443 and 6443): the ACME HTTP-01
 * self-check fetches `http://<domain>/.well-known/acme-challenge/...` on port 80 through the public address of
 * the route, and the DNS-01 self-check queries the zone's authoritative nameservers on port 53 directly (not
 * kube-dns) before it tells the ACME server to validate (cert-manager v1.18.2 pkg/issuer/acme/http/http.go,
 * pkg/issuer/acme/dns/util/wait.go). Selects the controller pods of the chart (labels
 * `app.kubernetes.io/name: cert-manager`, `app.kubernetes.io/component: controller`, deploy/charts/cert-manager/
 * templates/deployment.yaml).
 */
/** Labels of the cert-manager controller pods (chart v1.18.2 `templates/deployment.yaml`). */
const CERT_MANAGER_CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' };

export class CertManagerSolverEgress extends Construct {
  /** The NetworkPolicy (the default child). */
  public readonly resource: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const anywhere = [{ ipBlock: { cidr: '0.0.0.0/0' } }];
    const port = (protocol: string, p: number) => ({ protocol, port: k8s.IntOrString.fromNumber(p) });
    // The same needs as flows for the verifier: ACME directory and orders over HTTPS (the operator policy allows
    // 443), the HTTP-01 self-check on 80, the DNS-01 self-check against authoritative nameservers on 53.
    const controller = { namespace: props.namespace, podLabels: { ...CERT_MANAGER_CONTROLLER_LABELS } };
    declareFlow(this, { purpose: 'cert-manager to the ACME server', from: controller, to: { cidr: ANY_ADDRESS }, port: 443 });
    declareFlow(this, { purpose: 'cert-manager HTTP-01 self-check', from: controller, to: { cidr: ANY_ADDRESS }, port: 80 });
    for (const protocol of ['UDP', 'TCP'] as const) {
      declareFlow(this, { purpose: 'cert-manager DNS-01 self-check against authoritative nameservers', from: controller, to: { cidr: ANY_ADDRESS }, port: 53, protocol });
    }
    this.resource = new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: 'cert-manager-acme-egress', namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...CERT_MANAGER_CONTROLLER_LABELS } },
        policyTypes: ['Egress'],
        egress: [
          { to: anywhere, ports: [port('TCP', 80)] },
          { to: anywhere, ports: [port('UDP', 53), port('TCP', 53)] },
        ],
      },
    });
  }
}
